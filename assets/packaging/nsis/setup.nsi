; QR POS installer for Windows (NSIS 3.08 or later).
;
; Built by assets/packaging/scripts/package.sh, which stages the files in
; one directory and passes:
;   -DVERSION=0.1.0+1 -DVERSION4=0.1.0.1 -DAPP_NAME="QR POS" -DAPP_ID=hk.qrpos.terminal
;   -DSRC=<staging dir: pos.exe pos-cli.exe icon.ico terminal.toml README.txt>
;   -DOUTFILE=<setup.exe>   and, to sign the uninstaller, -DSIGN_SCRIPT=<sign.sh>
;
; What it does:
;   - pos.exe (the terminal window, a GUI program) and pos-cli.exe (its
;     command line, a console program for cmd and PowerShell) into
;     "Program Files\QR POS" (the directory page can change it);
;   - a default terminal.toml into "%ProgramData%\QR POS", never over an
;     existing one; that directory (configuration and journal) is readable
;     by SYSTEM, Administrators and the terminal's account only (icacls);
;   - optional Start menu shortcut (on by default) and kiosk autostart (off
;     by default): an HKLM Run value that starts
;     pos.exe run --kiosk --config "%ProgramData%\QR POS\terminal.toml"
;     when anyone logs on;
;   - an uninstaller that removes the program and keeps "%ProgramData%\QR POS".
;
; Silent install: setup.exe /S [/KIOSKUSER=account] [/AUTOSTART] [/NOSHORTCUT] [/D=dir]
; Silent uninstall: "%ProgramFiles%\QR POS\uninstall.exe" /S

Unicode true
ManifestDPIAware true
SetCompressor /SOLID lzma
RequestExecutionLevel admin

!ifndef VERSION | VERSION4 | APP_NAME | APP_ID | SRC | OUTFILE
  !error "pass -DVERSION -DVERSION4 -DAPP_NAME -DAPP_ID -DSRC -DOUTFILE (see the top of this file)"
!endif

!include MUI2.nsh
!include LogicLib.nsh
!include x64.nsh
!include FileFunc.nsh
!include nsDialogs.nsh
!include Sections.nsh

!define REG_KEY "Software\${APP_ID}"
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APP_ID}"
!define RUN_KEY "Software\Microsoft\Windows\CurrentVersion\Run"
!define RUN_VALUE "QR POS kiosk"
!define DATA_DIR "$APPDATA\QR POS" ; with SetShellVarContext all: %ProgramData%\QR POS

!ifdef SIGN_SCRIPT
  !uninstfinalize '"${SIGN_SCRIPT}" "%1"' = 0
!endif

Name "${APP_NAME}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\QR POS"
BrandingText "${APP_NAME} ${VERSION}"

VIProductVersion ${VERSION4}
VIFileVersion ${VERSION4}

Var KioskUser
Var KioskUserField

!define MUI_ICON "${SRC}\icon.ico"
!define MUI_UNICON "${SRC}\icon.ico"
!define MUI_ABORTWARNING
!define MUI_COMPONENTSPAGE_SMALLDESC
!define MUI_FINISHPAGE_RUN
!define MUI_FINISHPAGE_RUN_FUNCTION EditConfig
!define MUI_FINISHPAGE_RUN_TEXT "Edit the terminal's configuration now (terminal.toml)"
!define MUI_FINISHPAGE_RUN_NOTCHECKED

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_COMPONENTS
Page custom KioskUserPage KioskUserPageLeave
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

VIAddVersionKey /LANG=${LANG_ENGLISH} "ProductName" "${APP_NAME}"
VIAddVersionKey /LANG=${LANG_ENGLISH} "CompanyName" "${APP_NAME}"
VIAddVersionKey /LANG=${LANG_ENGLISH} "FileDescription" "${APP_NAME} setup"
VIAddVersionKey /LANG=${LANG_ENGLISH} "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_ENGLISH} "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_ENGLISH} "LegalCopyright" "The QR POS authors"

Section "QR POS (required)" SecMain
  SectionIn RO
  SetOutPath "$INSTDIR"
  File "${SRC}\pos.exe"
  File "${SRC}\pos-cli.exe"
  File "${SRC}\README.txt"
  ; The whole Chinese screen font, read when a store's name needs it.
  SetOutPath "$INSTDIR\fonts"
  File "${SRC}\fonts\DroidSansFallbackFull.ttf"
  File "${SRC}\fonts\DROID-LICENSE.txt"
  SetOutPath "$INSTDIR"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  ; Configuration and journal: locked down first, so the default file is
  ; created with the restricted ACL; an existing file is never replaced.
  CreateDirectory "${DATA_DIR}"
  Call RestrictData
  SetOutPath "${DATA_DIR}"
  SetOverwrite off
  File "${SRC}\terminal.toml"
  SetOverwrite on
  Call ResetDataChildren
  SetOutPath "$INSTDIR"

  WriteRegStr HKLM "${REG_KEY}" "InstallDir" "$INSTDIR"
  WriteRegStr HKLM "${REG_KEY}" "KioskUser" "$KioskUser"
  WriteRegStr HKLM "${REG_KEY}" "Version" "${VERSION}"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayName" "${APP_NAME}"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINST_KEY}" "Publisher" "${APP_NAME}"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\pos.exe,0"
  WriteRegStr HKLM "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINST_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKLM "${UNINST_KEY}" "EstimatedSize" "$0"
SectionEnd

Section "Start menu shortcut" SecStartMenu
  CreateDirectory "$SMPROGRAMS\QR POS"
  CreateShortcut "$SMPROGRAMS\QR POS\QR POS.lnk" "$INSTDIR\pos.exe" \
    'run --config "${DATA_DIR}\terminal.toml"' "$INSTDIR\pos.exe" 0
SectionEnd

Section /o "Start in kiosk mode at logon" SecKiosk
  WriteRegStr HKLM "${RUN_KEY}" "${RUN_VALUE}" \
    '"$INSTDIR\pos.exe" run --kiosk --config "${DATA_DIR}\terminal.toml"'
SectionEnd

; Sections left unticked on an upgrade are turned off.
Section "-Unticked"
  ${IfNot} ${SectionIsSelected} ${SecKiosk}
    DeleteRegValue HKLM "${RUN_KEY}" "${RUN_VALUE}"
  ${EndIf}
  ${IfNot} ${SectionIsSelected} ${SecStartMenu}
    Delete "$SMPROGRAMS\QR POS\QR POS.lnk"
    RMDir "$SMPROGRAMS\QR POS"
  ${EndIf}
SectionEnd

!insertmacro MUI_FUNCTION_DESCRIPTION_BEGIN
  !insertmacro MUI_DESCRIPTION_TEXT ${SecMain} "pos.exe (the terminal), pos-cli.exe (its command line), and a default configuration in %ProgramData%\QR POS (kept if one is there)."
  !insertmacro MUI_DESCRIPTION_TEXT ${SecStartMenu} "A QR POS shortcut in the Start menu."
  !insertmacro MUI_DESCRIPTION_TEXT ${SecKiosk} "Start the terminal full screen (kiosk mode) whenever a user logs on to this PC."
!insertmacro MUI_FUNCTION_DESCRIPTION_END

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "${APP_NAME} needs 64-bit Windows." /SD IDOK
    Abort
  ${EndIf}
  SetRegView 64
  SetShellVarContext all
  ; An earlier install's directory, unless /D= chose one.
  ${If} "$INSTDIR" == "$PROGRAMFILES64\QR POS"
    ReadRegStr $0 HKLM "${REG_KEY}" "InstallDir"
    ${If} $0 != ""
      StrCpy $INSTDIR $0
    ${EndIf}
  ${EndIf}

  ${GetParameters} $R0
  ; The terminal's account: /KIOSKUSER=, else the one an earlier install
  ; recorded, else the user running setup.
  ClearErrors
  ${GetOptions} $R0 "/KIOSKUSER=" $KioskUser
  ${If} ${Errors}
  ${OrIf} $KioskUser == ""
    ReadRegStr $KioskUser HKLM "${REG_KEY}" "KioskUser"
  ${EndIf}
  ${If} $KioskUser == ""
    ReadEnvStr $KioskUser USERNAME
  ${EndIf}

  ; Kiosk autostart: /AUTOSTART, or kept from an earlier install.
  ClearErrors
  ${GetOptions} $R0 "/AUTOSTART" $R1
  ${IfNot} ${Errors}
    !insertmacro SelectSection ${SecKiosk}
  ${Else}
    ClearErrors
    ReadRegStr $R1 HKLM "${RUN_KEY}" "${RUN_VALUE}"
    ${IfNot} ${Errors}
      !insertmacro SelectSection ${SecKiosk}
    ${EndIf}
  ${EndIf}
  ClearErrors
  ${GetOptions} $R0 "/NOSHORTCUT" $R1
  ${IfNot} ${Errors}
    !insertmacro UnselectSection ${SecStartMenu}
  ${EndIf}
FunctionEnd

Function KioskUserPage
  !insertmacro MUI_HEADER_TEXT "Terminal account" "The Windows account that runs the terminal at this counter."
  nsDialogs::Create 1018
  Pop $0
  ${If} $0 == error
    Abort
  ${EndIf}
  ${NSD_CreateLabel} 0 0 100% 60u "The terminal's configuration (it holds the payment providers' secrets) and its journal are kept in ${DATA_DIR}. Only SYSTEM, Administrators and this account may read or change them.$\r$\n$\r$\nEnter the account that logs on at this counter, for example POS, .\pos or SHOP\pos."
  Pop $0
  ${NSD_CreateText} 0 66u 100% 12u "$KioskUser"
  Pop $KioskUserField
  nsDialogs::Show
FunctionEnd

Function KioskUserPageLeave
  ${NSD_GetText} $KioskUserField $KioskUser
  ${If} $KioskUser == ""
    MessageBox MB_ICONEXCLAMATION "Enter the Windows account that runs the terminal."
    Abort
  ${EndIf}
  ; Does the account exist? LookupAccountName with no buffers reports the
  ; sizes it needs (a SID size above 0) only for an account it found.
  System::Call 'advapi32::LookupAccountNameW(p 0, w "$KioskUser", p 0, *i 0 r1, p 0, *i 0 r2, *i 0 r3) i .r0'
  ${If} $1 == 0
    MessageBox MB_ICONQUESTION|MB_YESNO "Windows does not know the account '$KioskUser'.$\r$\n$\r$\nUse it anyway? (If it still does not exist at install time, only Administrators can read the configuration.)" IDYES +2
    Abort
  ${EndIf}
FunctionEnd

; RestrictData replaces the data directory's ACL: no inherited entries;
; full control for SYSTEM (S-1-5-18) and Administrators (S-1-5-32-544);
; modify for the terminal's account. Without that account, it stays
; Administrators-only and setup says how to fix it.
Function RestrictData
  nsExec::ExecToLog '"$SYSDIR\icacls.exe" "${DATA_DIR}" /inheritance:r /grant:r *S-1-5-18:(OI)(CI)F *S-1-5-32-544:(OI)(CI)F "$KioskUser:(OI)(CI)M"'
  Pop $0
  ${If} $0 != 0
    nsExec::ExecToLog '"$SYSDIR\icacls.exe" "${DATA_DIR}" /inheritance:r /grant:r *S-1-5-18:(OI)(CI)F *S-1-5-32-544:(OI)(CI)F'
    Pop $1
    DetailPrint "icacls could not grant '$KioskUser' access (exit $0): ${DATA_DIR} is for Administrators only"
    MessageBox MB_ICONEXCLAMATION "Could not give the account '$KioskUser' access to ${DATA_DIR}; only Administrators can use it now.$\r$\n$\r$\nFix it from an administrator's command prompt:$\r$\nicacls $\"${DATA_DIR}$\" /grant $\"ACCOUNT:(OI)(CI)M$\"" /SD IDOK
  ${EndIf}
FunctionEnd

; ResetDataChildren makes every file already in the data directory (an
; earlier configuration, the journal) inherit the directory's ACL alone.
Function ResetDataChildren
  nsExec::ExecToLog '"$SYSDIR\icacls.exe" "${DATA_DIR}\*" /reset /T /C /Q'
  Pop $0
FunctionEnd

Function EditConfig
  Exec '"$WINDIR\notepad.exe" "${DATA_DIR}\terminal.toml"'
FunctionEnd

Function un.onInit
  SetRegView 64
  SetShellVarContext all
FunctionEnd

Section "Uninstall"
  Delete "$INSTDIR\pos.exe"
  Delete "$INSTDIR\pos-cli.exe"
  Delete "$INSTDIR\README.txt"
  Delete "$INSTDIR\fonts\DroidSansFallbackFull.ttf"
  Delete "$INSTDIR\fonts\DROID-LICENSE.txt"
  RMDir "$INSTDIR\fonts"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  Delete "$SMPROGRAMS\QR POS\QR POS.lnk"
  RMDir "$SMPROGRAMS\QR POS"
  DeleteRegValue HKLM "${RUN_KEY}" "${RUN_VALUE}"
  DeleteRegKey HKLM "${UNINST_KEY}"
  DeleteRegKey HKLM "${REG_KEY}"
  DetailPrint "Kept the configuration and the journal in ${DATA_DIR}"
SectionEnd
