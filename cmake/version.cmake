# PROJSYNC_GIT_DESCRIBE: `git describe` of the checkout being built, or
# empty when building from a tarball.  Reconfigures when HEAD moves.
set(PROJSYNC_GIT_DESCRIBE "")
find_package(Git QUIET)
if(GIT_FOUND AND EXISTS ${CMAKE_SOURCE_DIR}/.git)
	execute_process(COMMAND ${GIT_EXECUTABLE} describe --tags --always
		WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
		OUTPUT_VARIABLE PROJSYNC_GIT_DESCRIBE
		OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE _rc)
	if(NOT _rc EQUAL 0)
		set(PROJSYNC_GIT_DESCRIBE "")
	endif()
	execute_process(COMMAND ${GIT_EXECUTABLE} rev-parse --path-format=absolute
			--git-path logs/HEAD
		WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
		OUTPUT_VARIABLE _head_log OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
	if(_head_log AND EXISTS ${_head_log})
		set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_head_log})
	endif()
endif()
