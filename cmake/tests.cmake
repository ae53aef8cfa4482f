# Unit tests: tests/unit/test_<module>.c, one cmocka executable each.
file(GLOB UNIT_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/unit/test_*.c)
foreach(src ${UNIT_TESTS})
	get_filename_component(name ${src} NAME_WE)
	add_executable(${name} ${src})
	target_link_libraries(${name} PRIVATE projsync_core PkgConfig::CMOCKA PkgConfig::MHD)
	# fixtures are found through this path (tests/unit/fixtures.h), not
	# through the working directory: the tests run from the build folder
	target_compile_definitions(${name} PRIVATE
		PROJSYNC_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
	add_test(NAME unit/${name} COMMAND ${name}
		WORKING_DIRECTORY ${CMAKE_BINARY_DIR})
	set_tests_properties(unit/${name} PROPERTIES LABELS unit TIMEOUT 300)
endforeach()

# CLI and integration tests: tests/cli/t-*.sh run the real binaries.
file(GLOB CLI_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/cli/t-*.sh)
foreach(src ${CLI_TESTS})
	get_filename_component(name ${src} NAME_WE)
	add_test(NAME cli/${name} COMMAND bash ${src}
		WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
	set_tests_properties(cli/${name} PROPERTIES LABELS cli TIMEOUT 600
		ENVIRONMENT "PROJSYNC_BIN=$<TARGET_FILE:projsync>;EMULATOR_BIN=${CMAKE_BINARY_DIR}/projsync-emulator;BUILD_DIR=${CMAKE_BINARY_DIR};SRC_DIR=${CMAKE_SOURCE_DIR}")
endforeach()

# Fuzz corpora replay as ordinary tests, without libFuzzer.
file(GLOB FUZZ_TARGETS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_*.c)
foreach(src ${FUZZ_TARGETS})
	get_filename_component(name ${src} NAME_WE)
	string(REPLACE "fuzz_" "" corpus ${name})
	add_executable(${name}_replay ${src} ${CMAKE_SOURCE_DIR}/tests/fuzz/standalone.c)
	target_link_libraries(${name}_replay PRIVATE projsync_core)
	if(${name} STREQUAL "fuzz_emulator")
		target_link_libraries(${name}_replay PRIVATE PkgConfig::MHD)
	endif()
	add_test(NAME fuzz/${name} COMMAND ${name}_replay
		${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/${corpus})
	set_tests_properties(fuzz/${name} PROPERTIES LABELS fuzz TIMEOUT 300)
endforeach()

# The emulator's unit tests and fuzz replay call its library directly.
if(TARGET projsync_emulator_lib)
	foreach(t test_emulator test_apply test_billing fuzz_emulator_replay)
		if(TARGET ${t})
			target_link_libraries(${t} PRIVATE projsync_emulator_lib)
		endif()
	endforeach()
endif()
