import Glibc
import OptimizerService
import Testing
import TestSupport

@Suite struct ServiceLifecycleLiveTests {
    /// The routes hold the context; the context must not hold the server strongly back, or a stopped
    /// service and every session in it would stay in memory for the life of the process.
    @Test func aStoppedServiceIsFreedWithItsSessions() throws {
        weak var context: ServiceContext?
        do {
            let service = try TestService()
            context = service.running.context
            let client = try service.client()
            let id = try client.createSession(Specs.adam)
            #expect(try client.post("/v1/sessions/\(id)/step", json: ["gradients": Specs.adamGradients]).status == 200)
            service.stop()
        }
        // Dispatch may still be releasing the last connection's blocks: wait up to 2 s.
        for _ in 0..<200 where context != nil {
            usleep(10_000)
        }
        #expect(context == nil, "the stopped service's context is still alive")
    }
}
