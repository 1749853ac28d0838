/// The rules a spec declares — pagination, jobs, timeouts, retries, auth schemes, date formats, stream framing,
/// chunked uploads — are values of their own module, which the generator builds and this runtime follows; they are
/// part of `import BinderyRuntime`.
@_exported import BinderyRules
