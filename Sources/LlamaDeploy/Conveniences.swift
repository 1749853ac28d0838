import BinderyRuntime
import Foundation

extension LlamaDeployClient.Apiserver {
    /// The server's status as the Python client's `status()` reports it: healthy with a message listing the active
    /// deployments; unhealthy with the server's own text when it answers an error status (after the retries every
    /// GET gets); down when it cannot be reached. Other failures (a dropped connection, an unreadable answer) throw.
    public func status() async throws -> Status {
        let status: Status
        do {
            status = try await getStatus()
        } catch let error as BinderyError where error.kind == .cannotConnect {
            return Status(status: .down, statusMessage: "API Server is down")
        } catch let error as BinderyError where error.statusCode != nil {
            return Status(status: .unhealthy, statusMessage: String(decoding: error.body ?? Data(), as: UTF8.self))
        }
        let deployments = status.deployments ?? []
        let message = "LlamaDeploy is up and running."
            + (deployments.isEmpty
                ? "\nCurrently there are no active deployments"
                : "\nActive deployments:" + deployments.map { "\n- \($0)" }.joined())
        return Status(status: .healthy, statusMessage: message, maxDeployments: status.maxDeployments, deployments: deployments)
    }
}

extension LlamaDeployClient.Apiserver.Deployments {
    /// Creates a deployment from its YAML file and answers a handle to it. A file that cannot be read is
    /// `.invalidRequest`, with nothing sent.
    /// - Parameters:
    ///   - configFile: the deployment's YAML file.
    ///   - basePath: the folder, on the server, that the YAML's source locations are relative to.
    ///   - reload: replaces a deployment of the same name.
    ///   - local: uses the sources where they are instead of copying them.
    public func create(configFile: URL, basePath: String = ".", reload: Bool = false, local: Bool = false) async throws
        -> LlamaDeployClient.Apiserver.Deployment
    {
        let created = try await createFromFile(configFile: configFile, basePath: basePath, reload: reload, local: local)
        return LlamaDeployClient.Apiserver.Deployment(runtime: runtime, deploymentName: created.name)
    }

    /// Creates a deployment from its YAML text, as the Python client's `create(config)` does with an open file, and
    /// answers a handle to it.
    public func create(config: String, basePath: String = ".", reload: Bool = false, local: Bool = false) async throws
        -> LlamaDeployClient.Apiserver.Deployment
    {
        let created = try await createFromYaml(configFile: Data(config.utf8), basePath: basePath, reload: reload, local: local)
        return LlamaDeployClient.Apiserver.Deployment(runtime: runtime, deploymentName: created.name)
    }
}

extension LlamaDeployClient.Apiserver.Deployment.Tasks {
    /// Starts a task without waiting for it, in the task's session when it names one (a new session otherwise), and
    /// answers a handle to it that carries that session.
    public func create(_ task: TaskDefinition) async throws -> LlamaDeployClient.Apiserver.Deployment.DeploymentTask {
        let request = Self.start(deploymentName: deploymentName, task)
        let started = try await runtime.send(request)
        guard let taskID = started.taskID, let sessionID = started.sessionID else {
            throw BinderyError(
                kind: .decoding, operation: request.operation, method: request.method, url: try? runtime.url(for: request),
                attempts: 1, message: "the server answered a task without its task_id or session_id")
        }
        return LlamaDeployClient.Apiserver.Deployment.DeploymentTask(
            runtime: runtime, deploymentName: deploymentName, taskID: taskID, sessionID: sessionID)
    }

    /// A handle to a task `list()` answered, to read its events and result or send it events. The 0.9 server lists
    /// tasks without their sessions, and finds a task by its id alone: the handle carries the task's session when
    /// the definition names one, and otherwise an empty one, which the server takes and does not use.
    public func handle(for task: TaskDefinition) throws -> LlamaDeployClient.Apiserver.Deployment.DeploymentTask {
        guard let taskID = task.taskID else {
            throw BinderyError(
                kind: .invalidRequest, operation: "apiserver.deployment.tasks.handle", method: .get, url: nil, attempts: 0,
                message: "the task definition has no task_id: only a task the server created has a handle")
        }
        return LlamaDeployClient.Apiserver.Deployment.DeploymentTask(
            runtime: runtime, deploymentName: deploymentName, taskID: taskID, sessionID: task.sessionID ?? "")
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
