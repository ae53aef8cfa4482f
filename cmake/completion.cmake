# Run by the build: write one shell's completion script with the projsync
# just built (cmake -DPROJSYNC=... -DSHELL_NAME=... -DOUT=... -P this).
execute_process(COMMAND ${PROJSYNC} completion ${SHELL_NAME}
	OUTPUT_FILE ${OUT}.tmp RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
	file(REMOVE ${OUT}.tmp)
	message(FATAL_ERROR "projsync completion ${SHELL_NAME} failed: ${rc}")
endif()
file(RENAME ${OUT}.tmp ${OUT})
