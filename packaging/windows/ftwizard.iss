; Inno Setup script: the Windows installer, from the PyInstaller output in dist\ftwizard.
; Build on Windows, from the repository root (see packaging\README.md):
;   iscc /DAppVersion=0.1.0 packaging\windows\ftwizard.iss
; Output: dist\ftwizard-<version>-setup.exe. Paths below are relative to this file.

#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=X.Y.Z packaging\windows\ftwizard.iss
#endif
#define AppName "ftwizard"
#define BuildDir "..\..\dist\ftwizard"

[Setup]
; A fixed AppId: upgrades replace the old version instead of installing beside it.
AppId={{6E1F3C2A-8B4D-4F7A-9C1E-2D5B7A9F0C31}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=ftwizard developers
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
OutputDir=..\..\dist
OutputBaseFilename={#AppName}-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; Per-user install without administrator rights, unless the user picks "all users".
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ChangesEnvironment=yes
UninstallDisplayIcon={app}\{#AppName}-gui.exe
#if FileExists(AddBackslash(SourcePath) + "..\..\resources\icons\ftwizard.ico")
SetupIconFile=..\..\resources\icons\ftwizard.ico
#endif

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "addtopath"; Description: "Add the ftwizard command to PATH"; Flags: unchecked

[Files]
Source: "{#BuildDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppName}-gui.exe"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppName}-gui.exe"; Tasks: desktopicon

[Registry]
; The console program (ftwizard.exe) on the user's PATH, for `ftwizard runtime install` and the like.
Root: HKCU; Subkey: "Environment"; ValueType: expandsz; ValueName: "Path"; \
  ValueData: "{olddata};{app}"; Tasks: addtopath; Check: NeedsAddPath(ExpandConstant('{app}'))

[Run]
; The training runtime, when a folder "wheelhouse" (packaging/offline-wheelhouse.sh, made for
; win_amd64 and the Python on this machine) sits beside setup.exe: installed into {app}\runtime,
; the "bundled" place the program looks in (ftwizard.runtime.rule.training_runtime) after the one
; chosen in Settings. Without it the user runs `ftwizard runtime install --wheelhouse DIR` later.
Filename: "{app}\{#AppName}.exe"; \
  Parameters: "runtime install --wheelhouse ""{src}\wheelhouse"" --target ""{app}\runtime"""; \
  StatusMsg: "Installing the training runtime from the wheelhouse (minutes)..."; \
  Flags: waituntilterminated; Check: DirExists(ExpandConstant('{src}\wheelhouse'))
Filename: "{app}\{#AppName}-gui.exe"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; A training runtime installed next to the program (ftwizard runtime install --target "{app}\runtime").
Type: filesandordirs; Name: "{app}\runtime"

[Code]
function NeedsAddPath(Dir: string): Boolean;
var
  Path: string;
begin
  if not RegQueryStringValue(HKEY_CURRENT_USER, 'Environment', 'Path', Path) then
    Path := '';
  Result := Pos(';' + Uppercase(Dir) + ';', ';' + Uppercase(Path) + ';') = 0;
end;
