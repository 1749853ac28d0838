import Foundation
import Greetings

// Usage: greet NAME (base URL and key from GREETINGS_URL and GREETINGS_KEY).
let name = CommandLine.arguments.dropFirst().first ?? "world"
let client = GreetingsClient()
do {
    let greeting = try await client.greetings.get(name: name, excited: true)
    print(greeting.message)
    print("key: \(greeting.receivedKey ?? "none")")
} catch {
    FileHandle.standardError.write(Data("greet: \(error)\n".utf8))
    exit(1)
}
