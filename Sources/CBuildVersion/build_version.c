#include "CBuildVersion.h"

// version.generated.h is written by scripts/version.sh (not in git): a plain `swift build` has none.
#if __has_include("version.generated.h")
#include "version.generated.h"
#endif
#ifndef PSEUDODNS_VERSION
#define PSEUDODNS_VERSION "0.0.0+unstamped"
#endif

const char *pseudodns_build_version(void) { return PSEUDODNS_VERSION; }
