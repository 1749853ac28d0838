import BinderyRuntime
import Foundation
import Greetings

// Usage: greet NAME (base URL and key from GREETINGS_URL and GREETINGS_KEY). Calls the service from the main
// actor, from nonisolated code, and from a detached task, and decodes a model off the main actor.

nonisolated func greetElsewhere(_ client: GreetingsClient, name: String) async throws -> Greeting {
    try await client.greetings.get(name: name, excited: false)
}

let name = CommandLine.arguments.dropFirst().first ?? "world"
let client = GreetingsClient()
do {
    print(try await greetOnTheMainActor(client, name: name))
    let plain = try await greetElsewhere(client, name: name)
    print(plain.message, plain.tone.map { "\($0)" } ?? "no tone")
    let detached = try await Task.detached { try await client.greetings.get(name: name).receivedKey }.value
    print("key: \(detached ?? "none")")
} catch {
    FileHandle.standardError.write(Data("greet: \(error)\n".utf8))
    exit(1)
}
