public import MicroHTTP

/// The service's router: every route of `openapi.yaml`.
public enum ServiceRoutes {
    /// Builds the router for `context`.
    public static func router(context: ServiceContext) -> Router {
        var router = GuardedRouter(auth: context.configuration.authToken.map(BearerAuth.init(token:)))
        OperationRoutes.register(on: &router, context: context)
        SessionRoutes.register(on: &router, context: context)
        TrainingRoutes.register(on: &router, context: context)
        return router.router
    }
}
