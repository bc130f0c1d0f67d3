import TestSupport

/// Session specs the live suites share.
enum Specs {
    /// Two parameters, `w` [3] = [0.5, -1, 2] and `b` [2] = [0, 1], with `optimizer`.
    static func small(optimizer: JSON = ["type": "sgd", "lr": 0.1], dtype: String = "float32") -> JSON {
        [
            "dtype": .string(dtype), "optimizer": optimizer,
            "parameters": ["w": [0.5, -1, 2], "b": ["shape": [2], "data": [0, 1]]],
        ]
    }

    /// Adam on `w` [2, 3] and `b` [3]: a session with optimizer state, for "unchanged" checks.
    static let adam: JSON = [
        "name": "adam-test", "dtype": "float32",
        "optimizer": ["type": "adam", "lr": 0.01, "betas": [0.9, 0.999]],
        "parameters": ["w": [[0.1, -0.2, 0.3], [0.0, 0.5, -0.1]], "b": ["shape": [3], "data": [0, 0, 0]]],
    ]

    /// A gradient for `adam`.
    static let adamGradients: JSON = ["w": [[0.01, 0.02, -0.03], [0.0, 0.1, 0.2]], "b": [0.1, 0.0, -0.1]]

    /// SGD with lr 1 on one zero parameter `p` of `count` elements: after n steps of gradient g every
    /// element is exactly -n·g (for small integers n·g).
    static func bigSGD(count: Int, dtype: String = "float32") -> JSON {
        [
            "dtype": .string(dtype), "optimizer": ["type": "sgd", "lr": 1],
            "parameters": ["p": ["shape": [.int(count)]]],
        ]
    }
}
