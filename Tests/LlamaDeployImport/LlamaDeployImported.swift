// SwiftPM builds a target only when it holds a Swift file; the bindings are generated from openapi.json and
// LlamaDeploy.bindery beside it.
import BinderyRuntime
