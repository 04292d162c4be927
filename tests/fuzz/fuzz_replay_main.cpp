// Regression runner for a libFuzzer target without libFuzzer: runs LLVMFuzzerTestOneInput over
// every file of the seed corpus (CONFLUX_FUZZ_CORPUS, set by CMake) and of any folder or file
// named on the command line, in name order. A broken invariant aborts, so a crash file saved
// in the corpus keeps failing CTest until its bug is fixed. Exits 1 when nothing was run.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size);

namespace {

namespace fs = std::filesystem;

void collect(const fs::path &path, std::vector<fs::path> *files)
{
    std::error_code error;
    if (fs::is_regular_file(path, error)) {
        files->push_back(path);
        return;
    }
    if (!fs::is_directory(path, error)) {
        std::fprintf(stderr, "fuzz replay: no such file or folder: %s\n", path.c_str());
        return;
    }
    std::vector<fs::path> found;
    for (const fs::directory_entry &entry : fs::recursive_directory_iterator(path, error)) {
        if (entry.is_regular_file() && entry.path().filename().string().front() != '.')
            found.push_back(entry.path());
    }
    std::sort(found.begin(), found.end());
    files->insert(files->end(), found.begin(), found.end());
}

} // namespace

int main(int argc, char **argv)
{
    std::vector<fs::path> files;
    collect(fs::path(CONFLUX_FUZZ_CORPUS), &files);
    for (int i = 1; i < argc; ++i)
        collect(fs::path(argv[i]), &files);

    for (const fs::path &file : files) {
        std::ifstream stream(file, std::ios::binary);
        const std::vector<char> bytes {std::istreambuf_iterator<char>(stream),
                                       std::istreambuf_iterator<char>()};
        std::fprintf(stderr, "fuzz replay: %s (%zu bytes)\n", file.c_str(), bytes.size());
        std::fflush(stderr);
        LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t *>(bytes.data()), bytes.size());
    }
    std::printf("fuzz replay: %zu inputs passed\n", files.size());
    return files.empty() ? 1 : 0;
}
