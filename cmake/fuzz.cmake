# libFuzzer targets (clang): cmake -DPROJSYNC_FUZZ=ON -DCMAKE_C_COMPILER=clang
foreach(src ${FUZZ_TARGETS})
	get_filename_component(name ${src} NAME_WE)
	add_executable(${name} ${src})
	target_compile_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
	target_link_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
	target_link_libraries(${name} PRIVATE projsync_core)
endforeach()
