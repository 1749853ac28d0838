/// The templates the generator renders, compiled into it so the `bindery` binary works wherever it is copied.
public enum Templates {
    /// Every template by name (its file name in Templates/Swift without `.template`).
    public static let all: [String: String] = [
        "Arguments": PackageResources.Arguments_template,
        "Builder": PackageResources.Builder_template,
        "Client": PackageResources.Client_template,
        "DefaultParameter": PackageResources.DefaultParameter_template,
        "Endpoint": PackageResources.Endpoint_template,
        "Enum": PackageResources.Enum_template,
        "EventsReader": PackageResources.EventsReader_template,
        "Header": PackageResources.Header_template,
        "Model": PackageResources.Model_template,
        "Models": PackageResources.Models_template,
        "Operations": PackageResources.Operations_template,
        "Parameter": PackageResources.Parameter_template,
        "RawEventsReader": PackageResources.RawEventsReader_template,
        "RequestBody": PackageResources.RequestBody_template,
        "RequestOptions": PackageResources.RequestOptions_template,
        "RequestPath": PackageResources.RequestPath_template,
        "Resource": PackageResources.Resource_template,
        "ResponseReader": PackageResources.ResponseReader_template,
        "RuleArguments": PackageResources.RuleArguments_template,
        "Signature": PackageResources.Signature_template,
        "Strings": PackageResources.Strings_template,
        "Type": PackageResources.Type_template,
        "Union": PackageResources.Union_template,
    ].mapValues { String(decoding: $0, as: UTF8.self) }
}
