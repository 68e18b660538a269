#!/usr/bin/env bash
# sign.sh FILE: Authenticode-signs a Windows executable in place with
# osslsigncode (SHA-256). package.sh calls it for pos.exe, the uninstaller
# (from makensis) and setup.exe when `make package` is given a certificate:
#
#   SIGN_CERT   the code-signing certificate and its chain (PEM or DER)
#   SIGN_KEY    its private key (PEM or DER)
#   SIGN_PASS_FILE      optional: a file holding the key's password
#   SIGN_TIMESTAMP_URL  optional: an RFC 3161 time-stamping server, so the
#                       signature stays valid after the certificate expires
set -euo pipefail
file=${1:?usage: sign.sh FILE}
: "${SIGN_CERT:?SIGN_CERT is not set}" "${SIGN_KEY:?SIGN_KEY is not set}"
args=(sign -h sha256 -n "QR POS" -i "https://example.invalid/qrpos" -certs "$SIGN_CERT" -key "$SIGN_KEY")
[[ -n ${SIGN_PASS_FILE:-} ]] && args+=(-readpass "$SIGN_PASS_FILE")
[[ -n ${SIGN_TIMESTAMP_URL:-} ]] && args+=(-ts "$SIGN_TIMESTAMP_URL")
tmp="$file.signing"
rm -f "$tmp"
if ! out=$(osslsigncode "${args[@]}" -in "$file" -out "$tmp" 2>&1); then
	rm -f "$tmp"
	echo "sign.sh: osslsigncode failed for $file:" >&2
	echo "$out" >&2
	exit 1
fi
mv -f "$tmp" "$file"
echo "signed $(basename "$file")"
