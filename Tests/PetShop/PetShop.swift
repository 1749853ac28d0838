// PetShop: bindings generated at build time from PetShop.bindery, the spec beside this file, which uses every
// construct of the spec language. Tests import it to check that generated code compiles and behaves.
