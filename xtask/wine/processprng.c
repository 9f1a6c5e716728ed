/*
 * bcryptprimitives.dll for wine 8, for `cargo xtask ci`'s Windows tier only.
 *
 * Rust's standard library gets random bytes from ProcessPrng, which
 * Windows 10+ exports from bcryptprimitives.dll and wine 8 does not. This
 * shim exports it through RtlGenRandom (SystemFunction036 in advapi32,
 * which wine has). xtask builds it with mingw at test time and puts it
 * beside stsenv.exe; it is never shipped.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
