; Inno Setup 6 script: LeadDesk for Windows, installed per user without administrator rights.
; Built by `python packaging/build.py` on Windows, which passes:
;   /DAppVersion=0.1.0  /DBuildDir=...\dist\LeadDesk  /DIconFile=...\leaddesk.ico
;   /DOutputDir=...\dist\installers  /DOutputName=LeadDesk-0.1.0-windows-x64-setup
;
; Upgrades: the AppId never changes, so a newer setup installs over the older one in the same
; folder and replaces its Programs and Features entry. The user's data is not in the program
; folder: the database and the email settings are in %LOCALAPPDATA%\LeadDesk\LeadDesk
; (platformdirs), the window's settings in HKCU\Software\LeadDesk\LeadDesk (QSettings) and
; passwords in the Windows Credential Locker; neither an upgrade nor the uninstaller touches them.

#ifndef AppVersion
  #error Pass the version: ISCC /DAppVersion=X.Y.Z (python packaging/build.py does)
#endif
#ifndef BuildDir
  #define BuildDir "..\..\dist\LeadDesk"
#endif
#ifndef IconFile
  #define IconFile "..\..\build\generated\leaddesk.ico"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist\installers"
#endif
#ifndef OutputName
  #define OutputName "LeadDesk-" + AppVersion + "-windows-x64-setup"
#endif

[Setup]
AppId={{3846B9A9-27D4-4328-81FC-EA6BB82B2A4A}
AppName=LeadDesk
AppVersion={#AppVersion}
AppVerName=LeadDesk {#AppVersion}
VersionInfoVersion={#AppVersion}
AppPublisher=LeadDesk
; Per user, no UAC prompt: {autopf} is %LOCALAPPDATA%\Programs here, {autoprograms} the
; user's Start menu.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
DefaultDirName={autopf}\LeadDesk
DefaultGroupName=LeadDesk
DisableProgramGroupPage=yes
UsePreviousAppDir=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
SetupIconFile={#IconFile}
UninstallDisplayIcon={app}\LeadDesk.exe
UninstallDisplayName=LeadDesk {#AppVersion}
OutputDir={#OutputDir}
OutputBaseFilename={#OutputName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; An open LeadDesk is asked to close before its files are replaced.
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; The previous version's bundled libraries go first, so no stale DLL outlives an upgrade.
; Only the program folder: the user's database and settings live elsewhere (see the top).
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BuildDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\LeadDesk"; Filename: "{app}\LeadDesk.exe"; Comment: "Pass leads between people"
Name: "{autodesktop}\LeadDesk"; Filename: "{app}\LeadDesk.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\LeadDesk.exe"; Description: "{cm:LaunchProgram,LeadDesk}"; Flags: nowait postinstall skipifsilent
