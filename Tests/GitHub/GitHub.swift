// SwiftPM builds a target only when it holds a Swift file; the bindings are generated from GitHub.bindery beside it.
import BinderyRuntime
