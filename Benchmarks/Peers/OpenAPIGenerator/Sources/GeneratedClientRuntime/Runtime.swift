// Nothing of its own: the target exists so that building it builds the modules a generated client imports.
import OpenAPIRuntime
