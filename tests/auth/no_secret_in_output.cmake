# ctest's auth_output_has_no_secret: runs test_auth (every test, full output) and fails when it
# fails or when its stdout or stderr shows any secret, session token, web identity token, SSO
# token or credential_process output that the tests use: the string constants named k... in
# SECRET_SOURCES ("inline constexpr const char* kName = \"...\";").
# -D TEST_BINARY=... -D "SECRET_SOURCES=file;file"
set(secrets "")
foreach(source ${SECRET_SOURCES})
  file(STRINGS ${source} lines REGEX "constexpr const char\\* k[A-Za-z]+ = \"[^\"]+\";")
  foreach(line ${lines})
    string(REGEX REPLACE ".*constexpr const char\\* k[A-Za-z]+ = \"([^\"]+)\";.*" "\\1" secret "${line}")
    list(APPEND secrets "${secret}")
  endforeach()
endforeach()
list(LENGTH secrets n)
if(n LESS 8)
  message(FATAL_ERROR "found only ${n} secrets in ${SECRET_SOURCES}: the pattern no longer matches")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E env AWS_EC2_METADATA_DISABLED=true ${TEST_BINARY}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "test_auth failed (${rc}):\n${out}\n${err}")
endif()
foreach(secret ${secrets})
  foreach(stream out err)
    string(FIND "${${stream}}" "${secret}" at)
    if(NOT at EQUAL -1)
      message(FATAL_ERROR "a secret used by the tests appears in test_auth's std${stream} at ${at}")
    endif()
  endforeach()
endforeach()
message(STATUS "test_auth: ${n} secrets, none in its output")
