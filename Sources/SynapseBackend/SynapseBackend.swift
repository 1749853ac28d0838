// SynapseBackend: the Swift of this library is generated at build time from Spec/SynapseBackend.bindery by the
// Bindery plugin. Conveniences that the spec language cannot express are written by hand in this folder.
