// cuBLASLt loaded at run time (cublaslt.h): the search, the symbol table and the report.
#include "cuda/cublaslt.h"

#include <dlfcn.h>
#include <glob.h>
#include <link.h>
#include <sys/stat.h>

#include <cstdlib>
#include <set>
#include <stdexcept>
#include <utility>

namespace seqcore {
namespace cuda {
namespace {

// Newest first: a CUDA 13 runtime pairs best with cuBLAS 13, but a cuBLAS 12 also runs on the
// stream of a CUDA 13 runtime (streams are the driver's), so either is taken.
const char* const kSonames[] = {"libcublasLt.so.13", "libcublasLt.so.12", "libcublasLt.so"};
// Oldest cuBLASLt with the three-argument cublasLtMatmulDescCreate and cublasComputeType_t.
constexpr long kMinVersion = 110000;

struct Loaded {
  CublasInfo info;
  lt::Api api{};
};

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

bool is_dir(const std::string& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool exists(const std::string& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0;
}

std::string dl_error() {
  const char* e = dlerror();
  return e ? std::string(e) : std::string("unknown dlopen error");
}

template <class F>
bool resolve(void* lib, const char* name, F*& out, std::string& missing) {
  dlerror();
  out = reinterpret_cast<F*>(dlsym(lib, name));
  if (out) return true;
  missing += missing.empty() ? name : std::string(", ") + name;
  return false;
}

bool resolve_all(void* lib, lt::Api& a, std::string& missing) {
  bool ok = true;
  ok &= resolve(lib, "cublasLtCreate", a.Create, missing);
  ok &= resolve(lib, "cublasLtDestroy", a.Destroy, missing);
  ok &= resolve(lib, "cublasLtGetVersion", a.GetVersion, missing);
  ok &= resolve(lib, "cublasLtMatmulDescCreate", a.MatmulDescCreate, missing);
  ok &= resolve(lib, "cublasLtMatmulDescDestroy", a.MatmulDescDestroy, missing);
  ok &= resolve(lib, "cublasLtMatmulDescSetAttribute", a.MatmulDescSetAttribute, missing);
  ok &= resolve(lib, "cublasLtMatrixLayoutCreate", a.MatrixLayoutCreate, missing);
  ok &= resolve(lib, "cublasLtMatrixLayoutDestroy", a.MatrixLayoutDestroy, missing);
  ok &= resolve(lib, "cublasLtMatmulPreferenceCreate", a.MatmulPreferenceCreate, missing);
  ok &= resolve(lib, "cublasLtMatmulPreferenceDestroy", a.MatmulPreferenceDestroy, missing);
  ok &= resolve(lib, "cublasLtMatmulPreferenceSetAttribute", a.MatmulPreferenceSetAttribute, missing);
  ok &= resolve(lib, "cublasLtMatmulAlgoGetHeuristic", a.MatmulAlgoGetHeuristic, missing);
  ok &= resolve(lib, "cublasLtMatmul", a.Matmul, missing);
  return ok;
}

class Search {
 public:
  explicit Search(Loaded& out) : out_(out) {}

  // Tries one file (a path, or a bare soname for the loader's own search). True once loaded.
  bool try_file(const std::string& path, bool bare) {
    if (!tried_.insert(path).second) return false;
    out_.info.searched.push_back(path);
    if (!bare && !exists(path)) return false;
    void* lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      // The loader's "not found" for a bare soname is expected; anything else is worth saying.
      if (!bare)
        problems_.push_back(path + " did not load: " + dl_error());
      else
        dlerror();
      return false;
    }
    lt::Api api{};
    std::string missing;
    if (!resolve_all(lib, api, missing)) {
      problems_.push_back(path + " lacks " + missing);
      dlclose(lib);
      return false;
    }
    const long version = static_cast<long>(api.GetVersion());
    if (version < kMinVersion) {
      problems_.push_back(path + " is cuBLASLt " + std::to_string(version) + ", older than 11.0");
      dlclose(lib);
      return false;
    }
    // Kept open for the life of the process.
    out_.api = api;
    out_.info.version = version;
    out_.info.path = path;
    struct link_map* map = nullptr;
    if (dlinfo(lib, RTLD_DI_LINKMAP, &map) == 0 && map && map->l_name && map->l_name[0])
      out_.info.path = map->l_name;  // the file the loader chose
    return true;
  }

  bool try_dir(const std::string& dir) {
    if (dir.empty() || !places_seen_.insert(dir).second) return false;
    if (!is_dir(dir)) {
      passed(dir + " (missing)");
      return false;
    }
    looked(dir);
    for (const char* so : kSonames)
      if (try_file(dir + "/" + so, false)) return true;
    return false;
  }

  // Folders matching a glob pattern (GNU brace expansion), in glob's order.
  bool try_glob(const std::string& pattern) {
    glob_t g{};
    std::vector<std::string> dirs;
    if (glob(pattern.c_str(), GLOB_BRACE | GLOB_ONLYDIR, nullptr, &g) == 0)
      for (size_t k = 0; k < g.gl_pathc; ++k) dirs.emplace_back(g.gl_pathv[k]);
    globfree(&g);
    if (dirs.empty()) {
      passed(pattern + " (no match)");
      return false;
    }
    for (const std::string& d : dirs)
      if (try_dir(d)) return true;
    return false;
  }

  bool try_loader() {
    looked("the loader's path (LD_LIBRARY_PATH, the ld.so cache)");
    for (const char* so : kSonames)
      if (try_file(so, true)) return true;
    return false;
  }

  // A place looked in, for the error (the files tried there are in `searched`).
  void looked(std::string s) { places_.push_back(std::move(s)); }
  // A place with nothing to try (a missing folder, a pattern matching none): in the error and
  // in `searched` too, so that a report of success also shows what was passed over.
  void passed(std::string s) {
    out_.info.searched.push_back(s);
    places_.push_back(std::move(s));
  }

  std::string failure() const {
    std::string e = "cuBLASLt (libcublasLt.so.13, libcublasLt.so.12 or libcublasLt.so) was not found; looked in: ";
    for (size_t k = 0; k < places_.size(); ++k) e += (k ? ", " : "") + places_[k];
    e += ".";
    for (const std::string& p : problems_) e += " " + p + ".";
    e += " Install cuBLAS (the CUDA toolkit, or the nvidia-cublas Python wheel) or set SEQCORE_CUBLAS_PATH to the "
         "library or its folder.";
    return e;
  }

 private:
  Loaded& out_;
  std::set<std::string> tried_, places_seen_;
  std::vector<std::string> places_, problems_;
};

Loaded load() {
  Loaded L;
  Search s(L);
  bool ok = false;
  const std::string given = env("SEQCORE_CUBLAS_PATH");
  if (!given.empty()) {
    if (is_dir(given)) {
      ok = s.try_dir(given);
    } else if (exists(given)) {
      s.looked("SEQCORE_CUBLAS_PATH=" + given);
      ok = s.try_file(given, false);
    } else {
      s.passed("SEQCORE_CUBLAS_PATH=" + given + " (missing)");
    }
  }
  const std::string cuda_path = env("CUDA_PATH");
  if (!ok && !cuda_path.empty()) ok = s.try_dir(cuda_path + "/lib64");
  if (!ok) ok = s.try_dir("/usr/local/cuda/lib64");
  if (!ok) {
    const std::string wheel = "/{site,dist}-packages/nvidia/{cublas,cu13,cu12}/lib";
    std::vector<std::string> roots = {"/usr/lib/python3*", "/usr/local/lib/python3*"};
    const std::string home = env("HOME"), venv = env("VIRTUAL_ENV"), conda = env("CONDA_PREFIX");
    if (!home.empty()) roots.push_back(home + "/.local/lib/python3*");
    if (!venv.empty()) roots.push_back(venv + "/lib/python3*");
    if (!conda.empty()) roots.push_back(conda + "/lib/python3*");
    for (const std::string& r : roots)
      if ((ok = s.try_glob(r + wheel))) break;
  }
  if (!ok) ok = s.try_loader();
  if (!ok) L.info.error = s.failure();
  return L;
}

const Loaded& loaded() {
  static const Loaded L = load();
  return L;
}

}  // namespace

namespace lt {
std::string status_name(Status s) {
  const char* name = "CUBLAS_STATUS_UNKNOWN";
  switch (s) {
    case CUBLAS_STATUS_SUCCESS:
      name = "CUBLAS_STATUS_SUCCESS";
      break;
    case CUBLAS_STATUS_NOT_INITIALIZED:
      name = "CUBLAS_STATUS_NOT_INITIALIZED";
      break;
    case CUBLAS_STATUS_ALLOC_FAILED:
      name = "CUBLAS_STATUS_ALLOC_FAILED";
      break;
    case CUBLAS_STATUS_INVALID_VALUE:
      name = "CUBLAS_STATUS_INVALID_VALUE";
      break;
    case CUBLAS_STATUS_ARCH_MISMATCH:
      name = "CUBLAS_STATUS_ARCH_MISMATCH";
      break;
    case CUBLAS_STATUS_MAPPING_ERROR:
      name = "CUBLAS_STATUS_MAPPING_ERROR";
      break;
    case CUBLAS_STATUS_EXECUTION_FAILED:
      name = "CUBLAS_STATUS_EXECUTION_FAILED";
      break;
    case CUBLAS_STATUS_INTERNAL_ERROR:
      name = "CUBLAS_STATUS_INTERNAL_ERROR";
      break;
    case CUBLAS_STATUS_NOT_SUPPORTED:
      name = "CUBLAS_STATUS_NOT_SUPPORTED";
      break;
    case CUBLAS_STATUS_LICENSE_ERROR:
      name = "CUBLAS_STATUS_LICENSE_ERROR";
      break;
    default:
      break;
  }
  return std::string(name) + " (" + std::to_string(s) + ")";
}
}  // namespace lt

const CublasInfo& cublas_info() { return loaded().info; }

const lt::Api& cublaslt() {
  const Loaded& L = loaded();
  if (!L.info.error.empty()) throw std::runtime_error("cuda: cuBLASLt: " + L.info.error);
  return L.api;
}

}  // namespace cuda
}  // namespace seqcore
