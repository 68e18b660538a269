# Installers, included by the Makefile (see assets/packaging/README.md).
#
#   make package        dist/qrpos_VERSION+BUILD_amd64.deb,
#                       dist/qrpos-VERSION+BUILD-windows-amd64-setup.exe,
#                       dist/SHA256SUMS; VERSION and BUILD from FyneApp.toml
#   make package SIGN_CERT=cert.pem SIGN_KEY=key.pem
#                       the same, Authenticode-signed (pos.exe, uninstaller, setup.exe)
#   make package-test   builds, then installs the .deb on this machine (root),
#                       checks it and purges it; signs setup.exe with a
#                       throwaway certificate and verifies it
#
# Both install what they need first (.ci/install-deps --packaging).

PKG_SCRIPTS := assets/packaging/scripts

.PHONY: package package-deb package-windows package-test

package:
	@.ci/install-deps --packaging
	GO="$(GO)" VERSION="$(VERSION)" SIGN_CERT="$(SIGN_CERT)" SIGN_KEY="$(SIGN_KEY)" $(PKG_SCRIPTS)/package.sh all

package-deb:
	@.ci/install-deps --packaging
	GO="$(GO)" VERSION="$(VERSION)" $(PKG_SCRIPTS)/package.sh deb

package-windows:
	@.ci/install-deps --packaging
	GO="$(GO)" VERSION="$(VERSION)" $(PKG_SCRIPTS)/package.sh windows

package-test:
	@.ci/install-deps --packaging
	GO="$(GO)" VERSION="$(VERSION)" $(PKG_SCRIPTS)/package-test.sh
