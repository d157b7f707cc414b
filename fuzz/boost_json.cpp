// Boost.JSON compiled from source into the fuzz build (instrumented), see CMakeLists.txt.
#include <boost/json/src.hpp>
