// Greetings: bindings generated at build time from Greetings.bindery, beside this file, in a target whose
// declarations are isolated to the main actor unless they say otherwise.

/// Code of the app's own that uses the generated client on the main actor.
public func greetOnTheMainActor(_ client: GreetingsClient, name: String) async throws -> String {
    try await client.greetings.get(name: name, excited: true).message
}
