import BinderyRuntime
import Foundation

extension LlamaDeployClient.Apiserver {
    /// The server's status, with an unreachable server reported as `.down` rather than thrown, as the Python
    /// client's `status()` does. Other failures (an error status, an unreadable answer) still throw.
    public func status() async throws -> Status {
        do {
            return try await getStatus()
        } catch let error as BinderyError where error.kind == .cannotConnect {
            return Status(status: .down, statusMessage: "API Server is down")
        }
    }
}

extension TaskDefinition {
    /// A task whose workflow runs with `arguments`, an `Encodable` value or a `[String: JSONValue]`, encoded into
    /// the JSON string the server expects in `input`.
    public init(arguments: some Encodable, serviceID: String? = nil, sessionID: String? = nil) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        self.init(input: String(decoding: try encoder.encode(arguments), as: UTF8.self), sessionID: sessionID, serviceID: serviceID)
    }
}

extension EventDefinition {
    /// An event for `serviceID`'s workflow, serialized as the workflow's JSON serializer reads it: the event's fields
    /// and its Python type, e.g. `workflows.events.HumanResponseEvent` with `["response": "Ada"]`.
    public init(serviceID: String, event qualifiedName: String, fields: [String: JSONValue]) throws {
        let serialized: JSONValue = ["__is_pydantic": true, "value": .object(fields), "qualified_name": .string(qualifiedName)]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        self.init(serviceID: serviceID, eventObjStr: String(decoding: try encoder.encode(serialized), as: UTF8.self))
    }
}
