#!/usr/bin/env bash
# package-test.sh (`make package-test`): builds both installers with
# `make package`, then on this machine, as root:
#   - checks dist/ (one .deb, one setup.exe, SHA256SUMS that verify);
#   - installs the .deb, runs /usr/bin/pos --version, pos-cli --version and
#     pos-cli ports (no Fyne message under LANG=C), checks
#     the kiosk account, owners and modes, opens the journal as the kiosk
#     account with the default configuration, turns kiosk mode on and off;
#   - upgrades it (same files, next version) and checks configuration edits,
#     owners and the journal survive; removes it (journal and configuration
#     stay), purges it (both gone); installs it again for a kiosk account
#     named in /etc/default/qrpos and purges that;
#   - checks the Windows installer's contents (pos.exe a GUI program,
#     pos-cli.exe a console one) and default configuration (it loads, also
#     with its example methods);
#   - builds it again signed with a throwaway self-signed certificate and
#     verifies setup.exe, pos.exe, pos-cli.exe and the uninstaller with osslsigncode
#     (and that an unsigned, a tampered and a foreign-CA check fail).
# Everything it installed or created is removed at the end, also on failure.
set -euo pipefail

root=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$root"
MAKE=${MAKE:-make}

fail() {
	echo "package-test: FAIL: $*" >&2
	exit 1
}
step() { printf '\n== package-test: %s\n' "$*"; }
pass=0
ok() {
	pass=$((pass + 1))
	echo "ok: $*"
}

[[ $(id -u) -eq 0 ]] || fail "run as root: it installs the .deb on this machine"
command -v dpkg >/dev/null || fail "needs a Debian machine (dpkg)"
state=$(dpkg-query -W -f='${db:Status-Status}' qrpos 2>/dev/null || true)
if [[ -n $state && $state != not-installed ]]; then
	fail "qrpos is $state on this machine; the test would purge it and its journal. Remove it first: dpkg --purge qrpos"
fi

meta() { sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*\"\{0,1\}\([^\"]*\)\"\{0,1\}[[:space:]]*\$/\1/p" FyneApp.toml | head -n 1; }
VERSION=${VERSION:-$(meta Version)}
FULL_VERSION=$VERSION+$(meta Build)
DEB=dist/qrpos_${FULL_VERSION}_amd64.deb
SETUP=dist/qrpos-$FULL_VERSION-windows-amd64-setup.exe

tmp=$(mktemp -d /tmp/qrpos-package-test.XXXXXX)
chmod 0755 "$tmp" # the kiosk account reads files from here
created_users=()
cleanup() {
	local rc=$?
	set +e
	if dpkg-query -W qrpos >/dev/null 2>&1; then
		dpkg --purge qrpos >/dev/null 2>&1
	fi
	for u in "${created_users[@]}"; do
		userdel -r "$u" >/dev/null 2>&1
	done
	rm -rf "$tmp"
	if [[ $rc -eq 0 ]]; then
		echo
		echo "package-test: $pass passed, 0 failed"
	else
		echo
		echo "package-test: $pass passed, 1 failed"
	fi
	exit $rc
}
trap cleanup EXIT

# mode_owner PATH: "MODE USER:GROUP", e.g. "600 pos:pos".
mode_owner() { stat -c '%a %U:%G' "$1"; }

expect_eq() { # what got want
	[[ $2 == "$3" ]] || fail "$1: got '$2', want '$3'"
	ok "$1: $2"
}

user_existed() { getent passwd "$1" >/dev/null; }

# in_group USER GROUP
in_group() { [[ " $(id -nG "$1") " == *" $2 "* ]]; }

# ---------------------------------------------------------------- build
step "make package"
"$MAKE" --no-print-directory package

step "dist/"
[[ -f $DEB ]] || fail "$DEB is missing"
[[ -f $SETUP ]] || fail "$SETUP is missing"
mapfile -t debs < <(find dist -maxdepth 1 -name '*.deb')
mapfile -t setups < <(find dist -maxdepth 1 -name '*setup.exe')
[[ ${#debs[@]} -eq 1 && ${#setups[@]} -eq 1 ]] || fail "dist/ should hold one .deb and one setup.exe: ${debs[*]} ${setups[*]}"
(cd dist && sha256sum -c SHA256SUMS) || fail "dist/SHA256SUMS does not verify"
[[ $(wc -l <dist/SHA256SUMS) -eq 2 ]] || fail "dist/SHA256SUMS should list the two installers"
ok "dist/SHA256SUMS verifies both installers"
expect_eq "deb version" "$(dpkg-deb -f "$DEB" Version)" "$FULL_VERSION"
listing=$(dpkg-deb -c "$DEB")
for want in '-rwxr-xr-x root/root .* ./usr/bin/pos$' '-rwxr-xr-x root/root .* ./usr/bin/pos-cli$' '-rw------- root/root .* ./etc/qrpos/terminal.toml$' \
	'./etc/udev/rules.d/70-qrpos-serial.rules$' './usr/lib/systemd/user/qrpos-kiosk.service$' \
	'./usr/share/applications/hk.qrpos.terminal.desktop$' './usr/share/icons/hicolor/256x256/apps/hk.qrpos.terminal.png$' \
	'./usr/share/icons/hicolor/16x16/apps/hk.qrpos.terminal.png$' './usr/sbin/qrpos-kiosk$' './usr/libexec/qrpos/kiosk-session$'; do
	grep -Eq -- "$want" <<<"$listing" || fail "the .deb lacks $want"
done
ok "the .deb holds the binaries (pos, pos-cli), desktop entry, icons, default configuration (0600), udev rule, user unit, kiosk scripts"
if grep -q './var/lib/qrpos' <<<"$listing"; then fail "the .deb must not ship /var/lib/qrpos (postinst makes it)"; fi
dpkg-deb --ctrl-tarfile "$DEB" | tar -xO ./conffiles >"$tmp/conffiles"
expect_eq "conffiles" "$(tr '\n' ' ' <"$tmp/conffiles")" "/etc/qrpos/terminal.toml /etc/udev/rules.d/70-qrpos-serial.rules "

# ---------------------------------------------------------------- install
step "install the .deb (default kiosk account: pos)"
user_existed pos || created_users+=(pos)
if ! dpkg -i "$DEB"; then
	DEBIAN_FRONTEND=noninteractive apt-get install -f -y -q
fi
expect_eq "installed" "$(dpkg-query -W -f='${Status} ${Version}' qrpos)" "install ok installed $FULL_VERSION"
expect_eq "pos --version" "$(/usr/bin/pos --version 2>/dev/null)" "pos $FULL_VERSION"
expect_eq "pos-cli --version" "$(/usr/bin/pos-cli --version 2>/dev/null)" "pos-cli $FULL_VERSION"
LANG=C LC_ALL= /usr/bin/pos-cli ports >"$tmp/ports.out" 2>"$tmp/ports.err" || fail "pos-cli ports exited $?: $(cat "$tmp/ports.out" "$tmp/ports.err")"
[[ ! -s $tmp/ports.err ]] || fail "pos-cli ports wrote to stderr under LANG=C: $(cat "$tmp/ports.err")"
ok "pos-cli ports exits 0 with nothing on stderr under LANG=C: $(head -n 1 "$tmp/ports.out")"
/usr/bin/pos ports >"$tmp/ports.out" 2>"$tmp/ports.err" || fail "pos ports exited $?: $(cat "$tmp/ports.out" "$tmp/ports.err")"
ok "pos ports (forwarded to the command line) exits 0"
cmp -s /usr/share/qrpos/fonts/DroidSansFallbackFull.ttf <(gunzip -c assets/fonts/DroidSansFallbackFull.ttf.gz) || fail "/usr/share/qrpos/fonts/DroidSansFallbackFull.ttf is not the repository's whole screen font"
ok "the whole screen font is installed apart from the system's fonts"
getent passwd pos >/dev/null || fail "the kiosk account pos was not created"
home=$(getent passwd pos | cut -d: -f6)
[[ -d $home && $(stat -c %U "$home") == pos ]] || fail "pos has no home directory of its own ($home)"
[[ $(getent passwd pos | cut -d: -f7) == /bin/bash ]] || fail "pos should have a login shell"
ok "kiosk account pos: home $home, login shell"
in_group pos dialout || fail "pos is not in dialout: $(id -nG pos)"
ok "pos is in dialout"
in_group pos lp || fail "pos is not in lp (USB printers): $(id -nG pos)"
ok "pos is in lp"
expect_eq "/etc/default/qrpos" "$(grep '^KIOSK_USER=' /etc/default/qrpos)" "KIOSK_USER=pos"
expect_eq "/etc/qrpos/terminal.toml" "$(mode_owner /etc/qrpos/terminal.toml)" "600 pos:pos"
expect_eq "/etc/qrpos" "$(mode_owner /etc/qrpos)" "750 root:pos"
expect_eq "/var/lib/qrpos" "$(mode_owner /var/lib/qrpos)" "700 pos:pos"
grep -q '^journal = "/var/lib/qrpos/pos.db"' /etc/qrpos/terminal.toml || fail "the default configuration's journal is not /var/lib/qrpos/pos.db"
if runuser -u nobody -- cat /etc/qrpos/terminal.toml >/dev/null 2>&1; then fail "another account can read the configuration"; fi
ok "another account (nobody) cannot read the configuration"

# The default configuration loads and its journal opens, as the kiosk account.
runuser -u pos -- /usr/bin/pos-cli orders --config /etc/qrpos/terminal.toml >"$tmp/orders.out" 2>&1 ||
	fail "pos-cli orders with the default configuration, as pos: $(cat "$tmp/orders.out")"
[[ -f /var/lib/qrpos/pos.db ]] || fail "no journal in /var/lib/qrpos after pos orders"
expect_eq "journal owner" "$(stat -c %U /var/lib/qrpos/pos.db)" "pos"

# Kiosk mode on and off.
qrpos-kiosk enable >/dev/null
autostart=$home/.config/autostart/qrpos-kiosk.desktop
[[ -f $autostart ]] || fail "qrpos-kiosk enable wrote no $autostart"
expect_eq "autostart entry owner" "$(stat -c %U "$autostart")" "pos"
desktop-file-validate "$autostart" || fail "$autostart does not validate"
grep -q '^Exec=/usr/libexec/qrpos/kiosk-session$' "$autostart" || fail "autostart entry does not run kiosk-session"
grep -q '^ExecStart=/usr/bin/pos run --kiosk --config /etc/qrpos/terminal.toml$' /usr/lib/systemd/user/qrpos-kiosk.service ||
	fail "the user unit does not start pos run --kiosk"
grep -q '^Restart=always$' /usr/lib/systemd/user/qrpos-kiosk.service || fail "the user unit is not Restart=always"
status=$(qrpos-kiosk status)
grep -q 'kiosk mode:    on' <<<"$status" || fail "qrpos-kiosk status does not say on: $status"
qrpos-kiosk disable >/dev/null
[[ ! -e $autostart ]] || fail "qrpos-kiosk disable left $autostart"
qrpos-kiosk enable >/dev/null # purge must remove it
ok "qrpos-kiosk enable/status/disable"

# ---------------------------------------------------------------- upgrade
step "upgrade: the next version of the package over an edited configuration"
sed -i 's/^store_name = .*/store_name = "Edited by IT"/' /etc/qrpos/terminal.toml
dpkg-deb -R "$DEB" "$tmp/next"
next_version="$VERSION+$(($(meta Build) + 1))"
sed -i "s/^Version: .*/Version: $next_version/" "$tmp/next/DEBIAN/control"
dpkg-deb --root-owner-group -Zgzip -z1 -b "$tmp/next" "$tmp/next.deb" >/dev/null
dpkg -i "$tmp/next.deb" </dev/null
expect_eq "upgraded" "$(dpkg-query -W -f='${Version}' qrpos)" "$next_version"
grep -q '^store_name = "Edited by IT"$' /etc/qrpos/terminal.toml || fail "the upgrade lost the edited configuration"
ok "the edited configuration survives the upgrade"
expect_eq "/etc/qrpos/terminal.toml after upgrade" "$(mode_owner /etc/qrpos/terminal.toml)" "600 pos:pos"
[[ -f /var/lib/qrpos/pos.db ]] || fail "the upgrade lost the journal"
ok "the journal survives the upgrade"

# ---------------------------------------------------------------- remove, purge
step "remove keeps the journal and the configuration; purge deletes them"
dpkg -r qrpos
[[ ! -e /usr/bin/pos && ! -e /usr/bin/pos-cli ]] || fail "dpkg -r left /usr/bin/pos or /usr/bin/pos-cli"
[[ -f /var/lib/qrpos/pos.db ]] || fail "dpkg -r deleted the journal"
ok "after dpkg -r the journal stays"
grep -q '^store_name = "Edited by IT"$' /etc/qrpos/terminal.toml || fail "dpkg -r deleted the configuration"
ok "after dpkg -r the configuration stays"
dpkg --purge qrpos
for gone in /var/lib/qrpos /etc/qrpos /etc/default/qrpos "$autostart"; do
	[[ ! -e $gone ]] || fail "dpkg --purge left $gone"
done
ok "after dpkg --purge the journal, configuration, defaults and autostart entry are gone"
getent passwd pos >/dev/null || fail "purge should keep the kiosk account"
ok "purge keeps the kiosk account"

step "install for a kiosk account named in /etc/default/qrpos"
other=qrpostest
user_existed "$other" && fail "the account $other already exists here"
created_users+=("$other")
echo "KIOSK_USER=$other" >/etc/default/qrpos
dpkg -i "$DEB" >/dev/null
expect_eq "/etc/qrpos/terminal.toml" "$(mode_owner /etc/qrpos/terminal.toml)" "600 $other:$other"
expect_eq "/var/lib/qrpos" "$(mode_owner /var/lib/qrpos)" "700 $other:$other"
in_group "$other" dialout || fail "$other is not in dialout"
ok "$other is in dialout"
dpkg --purge qrpos >/dev/null
[[ ! -e /etc/default/qrpos && ! -e /var/lib/qrpos ]] || fail "purge left files of $other"
ok "purged again"

# ---------------------------------------------------------------- windows
step "the Windows installer's contents"
mkdir "$tmp/setup"
(cd "$tmp/setup" && 7z x -y "$root/$SETUP" >/dev/null) || fail "7z cannot read $SETUP"
for f in pos.exe pos-cli.exe uninstall.exe README.txt fonts/DroidSansFallbackFull.ttf fonts/DROID-LICENSE.txt "\$APPDATA/QR POS/terminal.toml"; do
	[[ -f $tmp/setup/$f ]] || fail "setup.exe does not install $f"
done
cmp -s "$tmp/setup/fonts/DroidSansFallbackFull.ttf" <(gunzip -c assets/fonts/DroidSansFallbackFull.ttf.gz) || fail "setup.exe's fonts/DroidSansFallbackFull.ttf is not the repository's font"
ok "setup.exe holds pos.exe, pos-cli.exe, uninstall.exe, README.txt, the whole screen font and the default terminal.toml"
[[ $(x86_64-w64-mingw32-objdump -p "$tmp/setup/pos.exe") =~ Subsystem[[:space:]]+[0-9a-f]+[[:space:]]+\(Windows\ GUI\) ]] || fail "pos.exe is not a GUI-subsystem program"
ok "pos.exe is a Windows GUI program (no console window)"
[[ $(x86_64-w64-mingw32-objdump -p "$tmp/setup/pos-cli.exe") =~ Subsystem[[:space:]]+[0-9a-f]+[[:space:]]+\(Windows\ CUI\) ]] || fail "pos-cli.exe is not a console-subsystem program"
ok "pos-cli.exe is a Windows console program (output, exit code and Ctrl-C in cmd and PowerShell)"
grep -qx "$FULL_VERSION" <(strings -el "$tmp/setup/pos-cli.exe") || fail "pos-cli.exe has no version resource $FULL_VERSION"
grep -qx "pos-cli.exe" <(strings -el "$tmp/setup/pos-cli.exe") || fail "pos-cli.exe's version resource does not name pos-cli.exe"
ok "pos-cli.exe carries its own version resource ($FULL_VERSION)"
strings -el "$tmp/setup/pos.exe" >"$tmp/setup/strings-el"
grep -qx "$FULL_VERSION" "$tmp/setup/strings-el" || fail "pos.exe has no version resource $FULL_VERSION"
strings -a "$tmp/setup/pos.exe" >"$tmp/setup/strings-a"
grep -q 'requestedExecutionLevel level="asInvoker"' "$tmp/setup/strings-a" || fail "pos.exe has no manifest"
ok "pos.exe carries the version resource ($FULL_VERSION), icon and manifest"
# The Windows default configuration loads (on Linux: it only needs mode 0600).
win_toml=$tmp/win/terminal.toml
mkdir -m 0700 "$tmp/win" # the journal refuses a folder others can read (on Windows the installer limits the folder by ACL)
tr -d '\r' <"$tmp/setup/\$APPDATA/QR POS/terminal.toml" >"$win_toml"
chmod 0600 "$win_toml"
"$root/build/package/linux/pos-cli" orders --config "$win_toml" >"$tmp/win/orders.out" 2>&1 ||
	fail "the Windows default configuration does not load: $(cat "$tmp/win/orders.out")"
[[ -f $tmp/win/pos.db ]] || fail "the Windows default configuration's journal is not next to it"
ok "the Windows default configuration loads; its journal is next to it"
# Its example methods exist: the commented methods line, switched on, loads
# (the profile refuses a method id the catalogue does not have).
grep -q '^# methods = \[' "$win_toml" || fail "the default configuration has no example methods line"
sed 's/^# methods = /methods = /' "$win_toml" >"$tmp/win/methods.toml"
chmod 0600 "$tmp/win/methods.toml"
"$root/build/package/linux/pos-cli" orders --config "$tmp/win/methods.toml" >"$tmp/win/methods.out" 2>&1 ||
	fail "the default configuration's example methods do not load: $(cat "$tmp/win/methods.out")"
ok "the default configuration's example methods are methods the terminal has: $(grep '^methods = ' "$tmp/win/methods.toml")"

# ---------------------------------------------------------------- signing
step "signing with a throwaway self-signed certificate"
cert=$tmp/sign/cert.pem key=$tmp/sign/key.pem
mkdir "$tmp/sign" "$tmp/other"
openssl req -x509 -newkey rsa:3072 -nodes -days 2 -subj "/CN=QR POS package test" \
	-addext "keyUsage=critical,digitalSignature" -addext "extendedKeyUsage=codeSigning" \
	-keyout "$key" -out "$cert" 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Someone else" \
	-keyout "$tmp/other/key.pem" -out "$tmp/other/cert.pem" 2>/dev/null
if osslsigncode verify -CAfile "$cert" -in "$SETUP" >"$tmp/sign/unsigned.out" 2>&1; then
	fail "osslsigncode accepts the unsigned setup.exe"
fi
ok "the unsigned setup.exe has no valid signature"
DIST="$tmp/signed" "$MAKE" --no-print-directory package SIGN_CERT="$cert" SIGN_KEY="$key"
signed=$tmp/signed/$(basename "$SETUP")
(cd "$tmp/signed" && sha256sum -c SHA256SUMS) || fail "the signed build's SHA256SUMS does not verify"
osslsigncode verify -CAfile "$cert" -in "$signed" >"$tmp/sign/verify.out" 2>&1 ||
	fail "osslsigncode verify rejects the signed setup.exe: $(cat "$tmp/sign/verify.out")"
grep -q 'Signature verification: ok' "$tmp/sign/verify.out" || fail "no 'Signature verification: ok': $(cat "$tmp/sign/verify.out")"
ok "osslsigncode verify accepts the signed setup.exe"
mkdir "$tmp/signed/x"
(cd "$tmp/signed/x" && 7z x -y "$signed" >/dev/null)
for f in pos.exe pos-cli.exe uninstall.exe; do
	osslsigncode verify -CAfile "$cert" -in "$tmp/signed/x/$f" >"$tmp/sign/$f.out" 2>&1 ||
		fail "osslsigncode verify rejects $f inside setup.exe: $(cat "$tmp/sign/$f.out")"
	ok "$f inside the signed setup.exe is signed"
done
if osslsigncode verify -CAfile "$tmp/other/cert.pem" -in "$signed" >/dev/null 2>&1; then
	fail "osslsigncode verify accepts setup.exe against a foreign CA"
fi
ok "the signature does not verify against another CA"
cp "$signed" "$tmp/sign/tampered.exe"
size=$(stat -c %s "$signed")
byte=$(od -An -tu1 -j $((size / 2)) -N1 "$signed" | tr -d ' ')
printf '%b' "\\0$(printf '%03o' $((byte ^ 0xff)))" | dd of="$tmp/sign/tampered.exe" bs=1 seek=$((size / 2)) conv=notrunc status=none
cmp -s "$signed" "$tmp/sign/tampered.exe" && fail "could not change a byte of the copy"
if osslsigncode verify -CAfile "$cert" -in "$tmp/sign/tampered.exe" >/dev/null 2>&1; then
	fail "osslsigncode verify accepts a tampered setup.exe"
fi
ok "a tampered setup.exe does not verify"
