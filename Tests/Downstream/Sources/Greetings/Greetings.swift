// Greetings: bindings generated at build time from Greetings.bindery, beside this file.
