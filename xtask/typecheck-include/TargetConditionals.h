/* Stand-in for the Apple SDK header, only for `cargo xtask ci`'s macOS
 * type-check on Linux (see README.md). Never used for a binary that runs. */
#ifndef STSENV_TYPECHECK_TARGETCONDITIONALS_H
#define STSENV_TYPECHECK_TARGETCONDITIONALS_H
#define TARGET_OS_MAC 1
#define TARGET_OS_OSX 1
#define TARGET_OS_IPHONE 0
#define TARGET_OS_IOS 0
#define TARGET_OS_SIMULATOR 0
#define TARGET_IPHONE_SIMULATOR 0
#define TARGET_OS_TV 0
#define TARGET_OS_WATCH 0
#endif
