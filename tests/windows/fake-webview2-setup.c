/* A stand-in for Microsoft's WebView2 Runtime bootstrapper
 * (MicrosoftEdgeWebview2Setup.exe), which cannot be downloaded here, for
 * tests/windows/installer.sh: it writes how it was started to
 * C:\webview2-setup.txt and registers a runtime version where Microsoft's
 * documents the installed runtime (the `pv` value of the EdgeUpdate client
 * key, 32-bit view), so the installer's check afterwards sees one. */
#include <stdio.h>
#include <wchar.h>
#include <windows.h>

#define CLIENT L"SOFTWARE\\Microsoft\\EdgeUpdate\\Clients\\{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}"

int wmain(int argc, wchar_t **argv) {
    FILE *log = _wfopen(L"C:\\webview2-setup.txt", L"w");
    if (!log) return 3;
    for (int i = 1; i < argc; i++) fwprintf(log, L"%ls%ls", i > 1 ? L" " : L"", argv[i]);
    fclose(log);
    HKEY key;
    if (RegCreateKeyExW(HKEY_LOCAL_MACHINE, CLIENT, 0, NULL, 0, KEY_WRITE | KEY_WOW64_32KEY, NULL,
                        &key, NULL) != ERROR_SUCCESS)
        return 4;
    const wchar_t version[] = L"131.0.2903.70";
    LONG set = RegSetValueExW(key, L"pv", 0, REG_SZ, (const BYTE *)version, sizeof version);
    RegCloseKey(key);
    return set == ERROR_SUCCESS ? 0 : 5;
}
