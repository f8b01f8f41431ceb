/*
 * bcryptprimitives.dll for running OathDesk's Windows build under wine 8,
 * which lacks this DLL. Rust's standard library imports exactly one
 * function from it, ProcessPrng, to fill buffers with random bytes (hash
 * map keys, and getrandom for keys and seeds). This shim forwards to
 * RtlGenRandom (exported by advapi32 as SystemFunction036), which wine
 * implements over the host's random source.
 *
 * For the test harness under wine only; never shipped: real Windows 10 and
 * later have their own bcryptprimitives.dll.
 */
#include <windows.h>

/* RtlGenRandom: ULONG length, unlike ProcessPrng's SIZE_T. */
__declspec(dllimport) BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    /* Fill in chunks a ULONG can count, so a huge request is not truncated. */
    while (length > 0) {
        ULONG chunk = length > 0x40000000u ? 0x40000000u : (ULONG)length;
        if (!SystemFunction036(data, chunk)) {
            /* ProcessPrng is documented never to fail; a caller cannot use
             * unfilled bytes, so stop the process rather than return them. */
            ExitProcess(0xC0000001u);
        }
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved)
{
    (void)instance;
    (void)reason;
    (void)reserved;
    return TRUE;
}
