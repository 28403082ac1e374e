#ifndef PSEUDODNS_CBUILDVERSION_H
#define PSEUDODNS_CBUILDVERSION_H

/// The version this build was stamped with by `scripts/version.sh` (every make target that builds runs it),
/// or "0.0.0+unstamped" for a plain `swift build`. Kept in C so that a new version recompiles one C file and
/// relinks, and no Swift module.
const char *pseudodns_build_version(void);

#endif
