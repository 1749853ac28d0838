import Foundation

/// What a spec says about an API as a whole: where it lives, how it authenticates, its default timeouts and retries.
/// Generated clients hand one of these to `APIClient`.
public struct APIDefinition: Sendable {
    /// The API's name, sent in the `User-Agent` and named in messages.
    public var name: String
    /// The API's version, sent in the `User-Agent`; nil when the spec names none.
    public var version: String?
    /// The URL request paths are resolved against, unless the client is given another.
    public var baseURL: String
    /// Environment variables that override the base URL, first set wins.
    public var baseURLEnvironment: [String]
    /// The ways the API authenticates, each with its credential's initializer argument.
    public var auth: [AuthScheme]
    /// Query parameters sent on every request when they have a value.
    public var defaultQuery: [DefaultParameter]
    /// Headers sent on every request that does not set them itself, when they have a value.
    public var defaultHeaders: [DefaultParameter]
    /// Where the API's error bodies hold their message, as key paths tried in order: `[["error", "message"]]`.
    public var errorMessage: [[String]]
    /// The header in which every POST or PATCH carries a key made once per call and kept across its retries
    /// (`Idempotency-Key`); nil when the API takes none. Such writes are retried like GETs.
    public var idempotencyHeader: String?
    /// The timeouts of every request, unless a request sets its own.
    public var timeouts: Timeouts
    /// How failed requests are retried, unless a request sets its own policy.
    public var retry: ExponentialBackoff
    /// How dates are written and read in JSON bodies.
    public var dateFormat: DateFormat

    /// Describes an API; every setting but its name and base URL has the spec language's default.
    public init(
        name: String, baseURL: String, baseURLEnvironment: [String] = [], auth: [AuthScheme] = [],
        defaultQuery: [DefaultParameter] = [], defaultHeaders: [DefaultParameter] = [], errorMessage: [[String]] = [],
        idempotencyHeader: String? = nil, timeouts: Timeouts = Timeouts(), retry: ExponentialBackoff = ExponentialBackoff(),
        dateFormat: DateFormat = .iso8601, version: String? = nil
    ) {
        self.version = version
        self.errorMessage = errorMessage
        self.idempotencyHeader = idempotencyHeader
        self.name = name
        self.baseURL = baseURL
        self.baseURLEnvironment = baseURLEnvironment
        self.auth = auth
        self.defaultQuery = defaultQuery
        self.defaultHeaders = defaultHeaders
        self.timeouts = timeouts
        self.retry = retry
        self.dateFormat = dateFormat
    }
}

/// A query parameter sent on every request, e.g. Synapse's `url_host`.
public struct DefaultParameter: Sendable {
    /// The initializer argument that carries the value; nil for a constant.
    public var name: String?
    /// The name the parameter is sent under.
    public var wireName: String
    /// Environment variables read when the argument is nil, first set wins.
    public var environment: [String]
    /// The value when neither the argument nor the environment gives one.
    public var value: String?

    /// Describes a parameter sent on every request.
    public init(name: String?, wireName: String, environment: [String] = [], value: String? = nil) {
        self.name = name
        self.wireName = wireName
        self.environment = environment
        self.value = value
    }
}

/// Settings a user may change when creating any generated client.
public struct ClientOptions: Sendable {
    /// What sends requests and reads responses: `DefaultTransport()` unless set.
    public var transport: any Transport
    /// Steps every attempt goes through, the first outermost, before authentication.
    public var middlewares: [any Middleware]
    /// Replaces the spec's auth schemes: the last step before the transport, e.g. a middleware that refreshes an
    /// OAuth token after a 401 or signs each request. nil keeps the spec's schemes and their credentials.
    public var auth: (any Middleware)?
    /// Overrides the spec's default timeouts.
    public var timeouts: Timeouts?
    /// Overrides the spec's default retry policy.
    public var retry: (any RetryPolicy)?
    /// Where environment variables are read from; the process environment by default.
    public var environment: [String: String]
    /// Measures deadlines and waits out every delay; replace it to test waits by value.
    public var clock: any BinderyClock
    /// The largest event or line of a stream read; a larger one fails the stream as `.responseTooLarge`. (The
    /// largest whole response is the transport's `maximumResponseSize`.)
    public var maximumEventSize: Int

    /// Options for a client; each one left out keeps the spec's setting or the system's.
    /// - Parameters:
    ///   - transport: a `DefaultTransport` unless given.
    ///   - proxy: the default transport's HTTP proxy; read from `environment` unless given (`.none` for none).
    ///   - middlewares: steps every attempt goes through, the first outermost, before authentication.
    ///   - auth: a middleware that replaces the spec's auth schemes; nil keeps them.
    ///   - timeouts: replaces the spec's default timeouts; nil keeps them.
    ///   - retry: the retry policy; `.spec` is the spec's, `.never` none.
    ///   - environment: where environment variables are read from.
    ///   - clock: measures deadlines and waits out delays; a `ManualClock` in tests.
    ///   - maximumEventSize: the largest event or line of a stream read, in bytes.
    public init(
        transport: (any Transport)? = nil, proxy: Proxy? = nil, middlewares: [any Middleware] = [],
        auth: (any Middleware)? = nil, timeouts: Timeouts? = nil, retry: any RetryPolicy = .spec,
        environment: [String: String] = ProcessInfo.processInfo.environment, clock: any BinderyClock = SystemClock(),
        maximumEventSize: Int = 16 << 20
    ) {
        self.transport = transport ?? DefaultTransport(proxy: proxy ?? .environment(environment))
        self.middlewares = middlewares
        self.auth = auth
        self.timeouts = timeouts
        // Not optional, so `retry: .none` cannot compile to "the spec's policy"; `.never` is no retries.
        self.retry = retry is SpecRetryPolicy ? nil : retry
        self.environment = environment
        self.clock = clock
        self.maximumEventSize = maximumEventSize
    }
}
