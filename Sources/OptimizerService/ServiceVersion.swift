/// The version of the HTTP contract this build serves (`/v1/...`).
public enum ServiceVersion {
    /// The API version prefix used in every resource path.
    public static let apiPrefix = "/v1"
}
