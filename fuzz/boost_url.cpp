// Boost.URL compiled from source into the fuzz build (instrumented), see CMakeLists.txt.
#include <boost/url/src.hpp>
