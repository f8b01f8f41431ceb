; OathDesk's Windows x64 installer (NSIS 3, makensis), ours: Tauri's own
; NSIS bundler cannot run here (it downloads its NSIS plugins from GitHub).
; scripts/package.sh builds it:
;
;   makensis -DVERSION=0.1.0 -DAPP_EXE=oathdesk.exe -DCLI_EXE=oathdesk-cli.exe \
;            -DICON=icon.ico -DOUTFILE=OathDesk_0.1.0_x64-setup.exe \
;            [-DWEBVIEW2_BOOTSTRAPPER=MicrosoftEdgeWebview2Setup.exe] [-DCOMPRESSOR=zlib] oathdesk.nsi
;
; It installs, per machine, the app and the CLI into Program Files\OathDesk,
; a Start-menu entry, the "App Paths" entry that lets Win+R start
; `oathdesk-cli`, and an entry in Settings > Apps with a silent uninstaller.
; The app draws its window with Microsoft's WebView2 Runtime (built into
; Windows 11 and updated Windows 10): when the registry says it is missing,
; the installer runs Microsoft's bootstrapper, embedded when the build was
; given one (WEBVIEW2_BOOTSTRAPPER), otherwise downloaded from Microsoft.
; Without it the CLI still works and the message says how to get the app's.
;
; PATH is deliberately left alone: NSIS reads registry strings into
; fixed-size buffers, and writing a long PATH back truncated would break the
; desk's other programs. The README says where the CLI is.

!ifndef VERSION | APP_EXE | CLI_EXE | ICON | OUTFILE
  !error "scripts/package.sh passes VERSION, APP_EXE, CLI_EXE, ICON and OUTFILE"
!endif

Unicode true
Target amd64-unicode
ManifestDPIAware true
RequestExecutionLevel admin
!ifdef COMPRESSOR
  SetCompressor /SOLID ${COMPRESSOR}
!else
  SetCompressor /SOLID lzma
!endif

!include MUI2.nsh
!include LogicLib.nsh

!define PRODUCT "OathDesk"
!define PUBLISHER "OathDesk"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\OathDesk"
!define APP_PATHS_KEY "Software\Microsoft\Windows\CurrentVersion\App Paths\oathdesk-cli.exe"
; Microsoft's documented detection of the WebView2 Runtime ("Deploying your
; app with the WebView2 Runtime"): the `pv` value of this client key, per
; machine (32-bit view) or per user.
!define WEBVIEW2_CLIENT "Microsoft\EdgeUpdate\Clients\{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}"
!define WEBVIEW2_URL "https://go.microsoft.com/fwlink/p/?LinkId=2124703"
!define WEBVIEW2_PAGE "https://developer.microsoft.com/microsoft-edge/webview2/"

Name "${PRODUCT}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\${PRODUCT}"
InstallDirRegKey HKLM "Software\${PRODUCT}" "InstallDir"
BrandingText "${PRODUCT} ${VERSION}"

VIProductVersion "${VERSION}.0"
VIFileVersion "${VERSION}.0"
VIAddVersionKey "ProductName" "${PRODUCT}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "CompanyName" "${PUBLISHER}"
VIAddVersionKey "FileDescription" "${PRODUCT} ${VERSION} installer"
VIAddVersionKey "LegalCopyright" "Copyright (c) 2026 the OathDesk authors. MIT OR Apache-2.0."

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\oathdesk.exe"
!define MUI_FINISHPAGE_RUN_TEXT "Open ${PRODUCT}"
!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

Function .onInit
  SetRegView 64
  SetShellVarContext all
FunctionEnd

Function un.onInit
  SetRegView 64
  SetShellVarContext all
FunctionEnd

Section "OathDesk" SecMain
  SectionIn RO
  SetOutPath "$INSTDIR"
  File "/oname=oathdesk.exe" "${APP_EXE}"
  File "/oname=oathdesk-cli.exe" "${CLI_EXE}"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateShortcut "$SMPROGRAMS\${PRODUCT}.lnk" "$INSTDIR\oathdesk.exe" "" "$INSTDIR\oathdesk.exe" 0

  WriteRegStr HKLM "Software\${PRODUCT}" "InstallDir" "$INSTDIR"
  WriteRegStr HKLM "${APP_PATHS_KEY}" "" "$INSTDIR\oathdesk-cli.exe"
  WriteRegStr HKLM "${APP_PATHS_KEY}" "Path" "$INSTDIR"

  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayName" "${PRODUCT}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\oathdesk.exe"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoRepair" 1

  Call WebView2
SectionEnd

; $0: the installed WebView2 Runtime's version, or "" when there is none.
Function WebView2Version
  ReadRegStr $0 HKLM "SOFTWARE\WOW6432Node\${WEBVIEW2_CLIENT}" "pv"
  ${If} $0 == ""
    ReadRegStr $0 HKCU "Software\${WEBVIEW2_CLIENT}" "pv"
  ${EndIf}
  ; Microsoft: a `pv` of 0.0.0.0 means a failed or removed install.
  ${If} $0 == "0.0.0.0"
    StrCpy $0 ""
  ${EndIf}
FunctionEnd

Function WebView2
  Call WebView2Version
  ${If} $0 != ""
    DetailPrint "WebView2 Runtime $0 is installed."
    Return
  ${EndIf}
  InitPluginsDir
  StrCpy $2 "$PLUGINSDIR\MicrosoftEdgeWebview2Setup.exe"
!ifdef WEBVIEW2_BOOTSTRAPPER
  File "/oname=$2" "${WEBVIEW2_BOOTSTRAPPER}"
!else
  DetailPrint "Downloading Microsoft's WebView2 Runtime bootstrapper..."
  nsExec::ExecToLog 'powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -Command "[Net.ServicePointManager]::SecurityProtocol = [Net.SecurityProtocolType]::Tls12; Invoke-WebRequest -UseBasicParsing -Uri ''${WEBVIEW2_URL}'' -OutFile ''$2''"'
  Pop $1
!endif
  ${IfNot} ${FileExists} "$2"
    DetailPrint "The WebView2 Runtime bootstrapper could not be downloaded."
    Goto missing
  ${EndIf}
  DetailPrint "Installing the WebView2 Runtime..."
  ExecWait '"$2" /silent /install' $1
  Call WebView2Version
  ${If} $0 != ""
    DetailPrint "WebView2 Runtime $0 is installed."
    Return
  ${EndIf}
  DetailPrint "The WebView2 Runtime bootstrapper exited with $1."
missing:
  MessageBox MB_ICONEXCLAMATION|MB_OK "${PRODUCT} is installed, but its window needs Microsoft's WebView2 Runtime, which could not be installed (this PC may have no internet access). Install the Evergreen WebView2 Runtime from ${WEBVIEW2_PAGE}, then open ${PRODUCT}. The command line, oathdesk-cli, works without it." /SD IDOK
FunctionEnd

Section "Uninstall"
  Delete "$INSTDIR\oathdesk.exe"
  Delete "$INSTDIR\oathdesk-cli.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  Delete "$SMPROGRAMS\${PRODUCT}.lnk"
  DeleteRegKey HKLM "${APP_PATHS_KEY}"
  DeleteRegKey HKLM "${UNINSTALL_KEY}"
  DeleteRegKey HKLM "Software\${PRODUCT}"
  ; The desk's data (journal, audit log) and its key in Credential Manager
  ; stay: they are the helpdesk's records, not the program's.
SectionEnd
