// The status page served at `/` (README "Status page"): one self-contained HTML document with
// a little plain JavaScript that polls GET /api/v1/pipelines every second and renders each
// pipeline. No external resource, no build step. The string is static: any thread may read it.
#pragma once

#include <string_view>

namespace cdc::daemon {

std::string_view status_page_html();

}  // namespace cdc::daemon
