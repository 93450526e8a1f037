# Packaging targets, included by the Makefile (-include packaging/package.mk).
#   make package        the .deb and the MSI (binaries for both platforms first)
#   make package-deb    dist/poststelle_<version>_amd64.deb (nfpm)
#   make package-msi    dist/poststelle-<version>-x64.msi (wixl), signed when SIGN_* is set
#   make package-test   installs, runs, upgrades and purges the .deb on this machine (root)
# The version comes from git (packaging/version.sh); PKG_VERSION=… overrides the package version.

.PHONY: package package-deb package-msi package-test package-bin-linux package-bin-windows

package: package-deb package-msi

package-bin-linux:
	bash packaging/build-binaries.sh linux

package-bin-windows:
	bash packaging/build-binaries.sh windows

package-deb: package-bin-linux
	bash packaging/deb/build-deb.sh

package-msi: package-bin-windows
	bash packaging/windows/build-msi.sh

package-test:
	bash .ci/package-test.sh
