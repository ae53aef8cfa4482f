# `cmake --install` (GNUInstallDirs) and `cpack -G DEB`.  Everything the
# binaries need at run time is found relative to nothing: the installed
# projsync works from any directory.
include(GNUInstallDirs)

# Man pages and the Debian changelog go out gzipped, as Debian policy asks
# (gzip -n: no name or time stamp, so the package builds reproducibly).
set(PROJSYNC_RELEASE_DATE "Mon, 07 Dec 2026 00:00:00 +0000")
configure_file(packaging/changelog.Debian.in
	${CMAKE_BINARY_DIR}/packaging/changelog @ONLY)
set(_gzipped "")
function(projsync_gzip src out)
	get_filename_component(dir ${out} DIRECTORY)
	add_custom_command(OUTPUT ${out}
		COMMAND ${CMAKE_COMMAND} -E make_directory ${dir}
		COMMAND sh -c "gzip -9n -c '${src}' > '${out}'"
		DEPENDS ${src} COMMENT "Compressing ${out}" VERBATIM)
	set(_gzipped ${_gzipped} ${out} PARENT_SCOPE)
endfunction()
set(_pages docs/projsync.1 docs/projsync-inventory.5)
if(PROJSYNC_EMULATOR)
	list(APPEND _pages docs/projsync-emulator.1)
endif()
foreach(page ${_pages})
	get_filename_component(name ${page} NAME)
	projsync_gzip(${CMAKE_SOURCE_DIR}/${page} ${CMAKE_BINARY_DIR}/man/${name}.gz)
	string(REGEX REPLACE ".*\\.([0-9])$" "man\\1" section ${name})
	install(FILES ${CMAKE_BINARY_DIR}/man/${name}.gz
		DESTINATION ${CMAKE_INSTALL_MANDIR}/${section})
endforeach()
projsync_gzip(${CMAKE_BINARY_DIR}/packaging/changelog
	${CMAKE_BINARY_DIR}/packaging/changelog.gz)
add_custom_target(projsync_gzipped ALL DEPENDS ${_gzipped})

install(TARGETS projsync RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
if(PROJSYNC_EMULATOR)
	install(TARGETS projsync-emulator RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
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
	packaging/copyright ${CMAKE_BINARY_DIR}/packaging/changelog.gz
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
