import BinderyRuntime
import Foundation

/// One prediction request for a sync, async or streaming endpoint, as the Python client's `EndpointRequest`.
public struct EndpointRequest: Sendable, Hashable {
    /// A file whose bytes are the prediction's input. Exactly one of `url` and `args` is set.
    public var url: String?
    /// The predict function's keyword arguments. Exactly one of `url` and `args` is set.
    public var args: JSONValue?
    /// Whether the result is a pickled object behind `resultURL` rather than JSON in `result`.
    public var returnPickled: Bool
    /// Called with the result when an async task ends; the endpoint's default when nil. Async endpoints only.
    public var callbackURL: String?
    /// How Launch authenticates to `callbackURL`: `.basic(CallbackBasicAuth(username:password:))` or
    /// `.mutualTLS(CallbackMTLSAuth(cert:key:))`. Async endpoints only.
    public var callbackAuth: CallbackAuth?
    /// Deprecated: an id of the caller's for the request. It is not sent.
    public var requestID: String?
    /// Sent as HTTP headers with the prediction.
    public var extraHeaders: [String: String]

    /// A request; every field may be left out, as the Python client's.
    public init(
        url: String? = nil, args: JSONValue? = nil, returnPickled: Bool = false, callbackURL: String? = nil,
        callbackAuth: CallbackAuth? = nil, requestID: String? = nil, extraHeaders: [String: String] = [:]
    ) {
        self.url = url
        self.args = args
        self.returnPickled = returnPickled
        self.callbackURL = callbackURL
        self.callbackAuth = callbackAuth
        self.requestID = requestID
        self.extraHeaders = extraHeaders
    }

    /// The first problem that would make the server refuse the request, checked before anything is sent.
    func problem() -> String? {
        switch (url, args) {
        case (nil, nil): return "an EndpointRequest needs exactly one of url and args, and has neither"
        case (_?, _?): return "an EndpointRequest needs exactly one of url and args, and has both"
        default: break
        }
        switch callbackAuth {
        case .basic(let basic)? where basic.username.isEmpty || basic.password.isEmpty:
            return "basic callback auth needs a user name and a password"
        case .mutualTLS(let tls)? where tls.cert.isEmpty || tls.key.isEmpty:
            return "mTLS callback auth needs a certificate and a key"
        case .unknown?:
            return "callback auth is either basic (user name, password) or mTLS (certificate, key)"
        default: return nil
        }
    }

    /// The request as `operation` sends it, with the extra headers, or a thrown `.invalidRequest` naming the problem.
    func prepared<Response>(_ request: Request<Response>, synchronous: Bool) throws -> Request<Response> {
        let problem = problem()
            ?? (synchronous && (callbackURL != nil || callbackAuth != nil) ? "callbacks are for async endpoints only" : nil)
        if let problem {
            throw BinderyError(
                kind: .invalidRequest, operation: request.operation, method: request.method, url: nil, attempts: 0,
                message: problem)
        }
        var request = request
        for (name, value) in extraHeaders.sorted(by: { $0.key < $1.key }) { request.headers.set(name, value) }
        return request
    }

    var syncBody: SyncTaskRequest { SyncTaskRequest(url: url, args: args, returnPickled: returnPickled) }
}

/// A prediction's outcome, as the Python client's `EndpointResponse`.
public struct EndpointResponse: Sendable, Hashable {
    /// SUCCESS or FAILURE once a prediction ended.
    public var status: TaskStatus
    /// Where the pickled result is, when the request asked for `returnPickled`.
    public var resultURL: String?
    /// The result as JSON; on FAILURE the error text.
    public var result: JSONValue?
    /// The endpoint's stack trace when it raised an error.
    public var traceback: String?
    /// The inference container's HTTP status.
    public var statusCode: Int?

    /// A sync prediction's answer, whose `result` is the result itself.
    init(_ answer: SyncTaskResponse) {
        self.init(status: answer.status, resultURL: answer.resultURL, result: answer.result, traceback: answer.traceback,
                  statusCode: answer.statusCode)
    }

    /// An async task's answer or a stream's event, whose `result` on SUCCESS wraps `{"result": …}` or
    /// `{"result_url": …}`.
    init(status: TaskStatus, wrapped result: JSONValue?, traceback: String?, statusCode: Int?) {
        if status == .success, case .object(let members)? = result {
            self.init(status: status, resultURL: members["result_url"]?.stringValue, result: members["result"],
                      traceback: traceback, statusCode: statusCode)
        } else {
            self.init(status: status, resultURL: nil, result: result, traceback: traceback, statusCode: statusCode)
        }
    }

    /// A response with these fields.
    public init(status: TaskStatus, resultURL: String? = nil, result: JSONValue? = nil, traceback: String? = nil, statusCode: Int? = nil) {
        self.status = status
        self.resultURL = resultURL
        self.result = result
        self.traceback = traceback
        self.statusCode = statusCode
    }
}

/// A model endpoint found by name, of the kind its `endpoint_type` says.
public enum LaunchEndpoint: Sendable {
    /// An endpoint that answers each prediction at once.
    case sync(SyncEndpoint)
    /// An endpoint that runs predictions as tasks to await.
    case async(AsyncEndpoint)
    /// An endpoint that streams each prediction's answer.
    case streaming(StreamingEndpoint)
}

extension LaunchClient {
    /// Looks a model endpoint up by name, once; the endpoint keeps its id for every prediction.
    public func endpoint(named name: String) async throws -> LaunchEndpoint {
        let found = try await modelEndpoints.list(name: name).modelEndpoints.first { $0.name == name }
        guard let found else {
            throw BinderyError(
                kind: .notFound, operation: "modelEndpoints.list", method: .get, url: nil, attempts: 1,
                message: "no model endpoint is named '\(name)'")
        }
        switch found.endpointType {
        case .sync: return .sync(SyncEndpoint(client: self, model: found))
        case .async: return .async(AsyncEndpoint(client: self, model: found))
        case .streaming: return .streaming(StreamingEndpoint(client: self, model: found))
        case .unknown(let type):
            throw BinderyError(
                kind: .decoding, operation: "modelEndpoints.list", method: .get, url: nil, attempts: 1,
                message: "model endpoint '\(name)' has endpoint_type '\(type)', which is none of sync, async, streaming")
        }
    }
}

/// An endpoint that answers a prediction in the same request.
public struct SyncEndpoint: Sendable {
    let client: LaunchClient
    /// The endpoint as the server describes it.
    public let model: ModelEndpoint

    /// Predicts and waits for the answer. An upstream failure comes back with status FAILURE and the traceback;
    /// a server-side timeout is `.timedOut` with status code 408.
    /// - Parameters:
    ///   - request: what to predict.
    ///   - timeout: how long the endpoint may take, in seconds, sent to the server.
    ///   - retries: how often the server retries the endpoint.
    public func predict(_ request: EndpointRequest, timeout: Double? = nil, retries: Int? = nil) async throws -> EndpointResponse {
        var body = request.syncBody
        body.timeoutSeconds = timeout
        body.numRetries = retries
        let sent = try request.prepared(LaunchClient.Tasks.sync(body, modelEndpointID: model.id), synchronous: true)
        return EndpointResponse(try await client.send(sent))
    }
}

/// An endpoint whose predictions run as tasks, awaited through their futures.
public struct AsyncEndpoint: Sendable {
    let client: LaunchClient
    /// The endpoint as the server describes it.
    public let model: ModelEndpoint

    /// Starts a prediction; returns once the task exists.
    public func predict(_ request: EndpointRequest) async throws -> EndpointResponseFuture {
        let body = AsyncTaskRequest(
            url: request.url, args: request.args, returnPickled: request.returnPickled, callbackURL: request.callbackURL,
            callbackAuth: request.callbackAuth)
        let sent = try request.prepared(LaunchClient.Tasks.createAsync(body, modelEndpointID: model.id), synchronous: false)
        let job = try await client.runtime.startJob(sent, rule: .task) { started in
            LaunchClient.Tasks.asyncResult(taskID: try started.string("task_id"))
        }
        return EndpointResponseFuture(endpointName: model.name, taskID: try job.started?.string("task_id") ?? "", job: job)
    }

    /// The future of a task started earlier, from its id.
    public func future(taskID: String) -> EndpointResponseFuture {
        EndpointResponseFuture(endpointName: model.name, taskID: taskID, job: client.tasks.asyncResult(taskID: taskID))
    }
}

/// An async prediction's result, to await once or many times.
public struct EndpointResponseFuture: Sendable {
    /// The name of the endpoint the task runs on, as the Python client's future keeps it.
    public let endpointName: String
    /// The task's id on the server.
    public let taskID: String
    let job: Job<GetAsyncTaskResponse>

    /// Polls every 2 s while the task is PENDING or STARTED and returns its SUCCESS or FAILURE, as the Python
    /// client's `get(timeout)` does.
    /// - Parameter timeout: the most seconds to wait in all; nil waits until the task ends. Running out throws
    ///   `.timedOut` with the last status; cancelling the calling task stops polling.
    public func get(timeout: TimeInterval? = nil) async throws -> EndpointResponse {
        let task = try await job.result(timeout: .infinity, overall: timeout)
        return EndpointResponse(status: task.status, wrapped: task.result, traceback: task.traceback, statusCode: task.statusCode)
    }
}

/// An endpoint that streams its results.
public struct StreamingEndpoint: Sendable {
    let client: LaunchClient
    /// The endpoint as the server describes it.
    public let model: ModelEndpoint

    /// Predicts; each result arrives as the server sends it. An upstream failure is one response with status
    /// FAILURE. Leaving the loop closes the connection.
    public func predict(_ request: EndpointRequest) async throws -> EndpointResponseStream {
        let sent = try request.prepared(LaunchClient.Tasks.streaming(request.syncBody, modelEndpointID: model.id), synchronous: true)
        return EndpointResponseStream(events: try await client.send(sent))
    }
}

/// The results of a streaming prediction, one `EndpointResponse` per Server-Sent Event.
public struct EndpointResponseStream: AsyncSequence, Sendable {
    public typealias Element = EndpointResponse
    let events: EventStream<SyncTaskResponse>

    public func makeAsyncIterator() -> Iterator { Iterator(events: events.makeAsyncIterator()) }

    /// Reads the stream's events one at a time.
    public struct Iterator: AsyncIteratorProtocol {
        var events: EventStream<SyncTaskResponse>.Iterator

        public mutating func next() async throws -> EndpointResponse? {
            try await events.next().map { event in
                EndpointResponse(status: event.status, wrapped: event.result, traceback: event.traceback, statusCode: event.statusCode)
            }
        }
    }
}
