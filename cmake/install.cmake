# `cmake --install` (GNUInstallDirs) and `cpack -G DEB`.  Everything the
# binaries need at run time is found relative to nothing: the installed
# projsync works from any directory.
include(GNUInstallDirs)

install(TARGETS projsync RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES docs/projsync.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES docs/projsync-inventory.5 DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)
if(PROJSYNC_EMULATOR)
	install(TARGETS projsync-emulator RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
	install(FILES docs/projsync-emulator.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()
install(FILES ${CMAKE_BINARY_DIR}/completions/projsync
	DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
# zsh searches share/zsh/site-functions under /usr/local, but Debian's
# zsh searches /usr/share/zsh/vendor-completions, not .../site-functions
# (so the .deb, whose prefix is /usr, uses that); decided at install time.
install(CODE "
	if(CMAKE_INSTALL_PREFIX STREQUAL \"/usr\")
		set(_zsh_dir vendor-completions)
	else()
		set(_zsh_dir site-functions)
	endif()
	file(INSTALL \"${CMAKE_BINARY_DIR}/completions/_projsync\"
		DESTINATION \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_DATADIR}/zsh/\${_zsh_dir}\")
")
install(FILES ${CMAKE_BINARY_DIR}/completions/projsync.fish
	DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)
install(DIRECTORY schemas/ DESTINATION ${CMAKE_INSTALL_DATADIR}/projsync/schemas
	FILES_MATCHING PATTERN "*.json")
install(DIRECTORY examples/ DESTINATION ${CMAKE_INSTALL_DATADIR}/projsync/examples)
# for CI jobs that push the history branch (examples/gitlab-ci.yml)
install(PROGRAMS scripts/push-history DESTINATION ${CMAKE_INSTALL_DATADIR}/projsync/scripts)
install(FILES LICENSE README.md CHANGELOG.md SECURITY.md
	DESTINATION ${CMAKE_INSTALL_DOCDIR})

# ---- Debian package: cpack -G DEB (in the build directory) ----
set(CPACK_PACKAGE_NAME projsync)
set(CPACK_PACKAGE_VENDOR "projsync")
set(CPACK_PACKAGE_CONTACT "projsync maintainers <projsync@users.noreply.github.com>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_DESCRIPTION
	"projsync keeps the AI projects of an Amazon Bedrock account, and the tags
that attribute their cost, in line with a YAML inventory kept in git: plan
on every pull request, apply on merge, lint as a tag-policy gate. It
includes projsync-emulator, a local stand-in for the Projects API.")
set(CPACK_RESOURCE_FILE_LICENSE ${CMAKE_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_GENERATOR DEB)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE ${PROJECT_HOMEPAGE_URL})
# Depends: computed from the binaries by dpkg-shlibdeps
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_STRIP_FILES ON)
include(CPack)
