import Foundation

/// A JSON text read once, for decoding: its bytes, its values as a flat list of entries in document order, and how its
/// dates read. A container's entry is followed by its elements' (an object's members each as a key entry, then the
/// value's), so nothing is built that a decoded model does not keep: no dictionary per object, no `String` per key.
final class JSONDocument {
    enum Kind: UInt8 {
        case null, `false`, `true`, integer, number, string, escapedString, array, object
    }

    /// One value, in 16 bytes. What its payload holds depends on its kind: strings and containers two 32-bit
    /// fields (`start`, `end`), integers and numbers their bit pattern.
    struct Entry {
        let kind: Kind
        private let payload: UInt64

        init(_ kind: Kind, _ start: UInt32, _ end: UInt32) {
            (self.kind, payload) = (kind, UInt64(start) | UInt64(end) << 32)
        }

        init(integer: Int) { (kind, payload) = (.integer, UInt64(bitPattern: Int64(integer))) }

        init(number: Double) { (kind, payload) = (.number, number.bitPattern) }

        /// Strings: the offset of the first byte inside the quotes. Containers: how many elements or members.
        var start: UInt32 { UInt32(truncatingIfNeeded: payload) }
        /// Strings: the offset of the closing quote. Containers: the index of the first entry after the container.
        var end: UInt32 { UInt32(truncatingIfNeeded: payload >> 32) }
        var isContainer: Bool { kind == .array || kind == .object }
        /// The index of the entry after this one, at `index`, and everything in it.
        func after(_ index: Int) -> Int { isContainer ? Int(end) : index + 1 }
        var count: Int { Int(start) }
        /// An integer's value: one that fits in `Int`, or the parser would have made it a number.
        var integer: Int { Int(truncatingIfNeeded: Int64(bitPattern: payload)) }
        var number: Double { Double(bitPattern: payload) }
    }

    /// The text, copied once so entries can point into it for as long as the document lives.
    let bytes: UnsafeRawBufferPointer
    let entries: UnsafeBufferPointer<Entry>
    /// The entry of a null that is not in the text: what `superDecoder(forKey:)` reads for an absent key.
    let absent: Int
    let dateFormat: DateFormat
    let userInfo: [CodingUserInfoKey: Any]

    init(_ data: Data, dateFormat: DateFormat = .iso8601, userInfo: [CodingUserInfoKey: Any] = [:]) throws {
        self.dateFormat = dateFormat
        self.userInfo = userInfo
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: data.count, alignment: 1)
        _ = data.copyBytes(to: copy.bindMemory(to: UInt8.self))
        bytes = UnsafeRawBufferPointer(copy)
        do {
            entries = UnsafeBufferPointer(try JSONParser.entries(of: bytes, then: Entry(.null, 0, 0)))
            absent = entries.count - 1
        } catch {
            copy.deallocate()
            throw error
        }
    }

    deinit {
        bytes.deallocate()
        entries.deallocate()
    }

    /// The document's value.
    var value: JSONValue { value(at: 0) }

    /// The index of the entry after the value at `index` and everything in it.
    func after(_ index: Int) -> Int { entries[index].after(index) }

    /// The text of the string at `index`.
    func string(at index: Int) -> String { JSONParser.text(of: entries[index], in: bytes) }

    /// The value at `index`, as a `JSONValue`.
    func value(at index: Int) -> JSONValue {
        let entry = entries[index]
        switch entry.kind {
        case .null: return .null
        case .false: return .bool(false)
        case .true: return .bool(true)
        case .integer: return .integer(entry.integer)
        case .number: return .number(entry.number)
        case .string, .escapedString: return .string(string(at: index))
        case .array:
            var values: [JSONValue] = []
            values.reserveCapacity(entry.count)
            var element = index + 1
            for _ in 0..<entry.count {
                values.append(value(at: element))
                element = after(element)
            }
            return .array(values)
        case .object:
            var members = [String: JSONValue](minimumCapacity: entry.count)
            var key = index + 1
            for _ in 0..<entry.count {
                // The first of repeated names counts, as in JSONDecoder: one lookup, and a second only for a repeat.
                let name = string(at: key)
                if let first = members.updateValue(value(at: key + 1), forKey: name) { members[name] = first }
                key = after(key + 1)
            }
            return .object(members)
        }
    }

    /// Objects with more members than this have their members' names hashed once, instead of compared on each lookup.
    static let membersFoundByComparing = 12

    /// The entry of the value of the member named `name` in the object at `object` (the first, when the name repeats,
    /// as in JSONDecoder), found by comparing bytes: for the few members of a model's object, cheaper than hashing
    /// every name.
    func member(_ name: String, of object: Int) -> Int? {
        var utf8 = name
        return utf8.withUTF8 { wanted in
            var key = object + 1
            for _ in 0..<entries[object].count {
                let entry = entries[key]
                if entry.kind == .string {
                    // Names of other lengths, or starting otherwise, are passed over without a call.
                    if Int(entry.end - entry.start) == wanted.count,
                        wanted.isEmpty
                            || (bytes[Int(entry.start)] == wanted[0]
                                && memcmp(bytes.baseAddress! + Int(entry.start), wanted.baseAddress!, wanted.count) == 0)
                    {
                        return key + 1
                    }
                } else if string(at: key) == name {
                    return key + 1
                }
                key = after(key + 1)
            }
            return nil
        }
    }

    /// The entries of the values of the object at `object`, by member name (the first, when a name repeats).
    func members(of object: Int) -> [String: Int] {
        var members = [String: Int](minimumCapacity: entries[object].count)
        var key = object + 1
        for _ in 0..<entries[object].count {
            let name = string(at: key)
            if let first = members.updateValue(key + 1, forKey: name) { members[name] = first }
            key = after(key + 1)
        }
        return members
    }

    /// The coding path of the value at `target`, as JSONDecoder would give it: worked out by walking down from the
    /// top, so decoding carries no path until an error or a caller asks for one.
    func path(to target: Int) -> [any CodingKey] {
        var path: [any CodingKey] = []
        var container = 0
        descending: while container != target, entries[container].isContainer {
            let entry = entries[container]
            var child = container + 1
            for position in 0..<entry.count {
                let value = entry.kind == .object ? child + 1 : child
                if target < after(value) {
                    path.append(entry.kind == .object ? WireKey(string(at: child)) : IndexKey(position))
                    container = value
                    continue descending
                }
                child = after(value)
            }
            break
        }
        return path
    }
}
