// The wrappers are inline, in include/CBinderyEpoll.h; a C target needs one source file.
