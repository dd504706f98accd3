#include "device_memory.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace attn4j {
namespace emu {

namespace {
constexpr size_t kAlignment = 256;             // cudaMalloc's alignment
constexpr size_t kQuarantineBytes = 256u << 20; // freed memory kept unreused before it goes back to the host
constexpr unsigned char kPoison = 0xff;

size_t rounded(size_t bytes) {
    const size_t n = bytes == 0 ? 1 : bytes;
    return (n + kAlignment - 1) / kAlignment * kAlignment;
}

std::string hex(uintptr_t p) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(p));
    return buf;
}
}  // namespace

DeviceMemory::DeviceMemory(size_t capacity) : capacity_(capacity) {}

DeviceMemory::~DeviceMemory() {
    release_all();
}

void* DeviceMemory::allocate(size_t bytes, bool stream_ordered) {
    const size_t size = rounded(bytes);
    std::unique_lock<std::shared_mutex> lock(mutex_);
    if (size > capacity_ || used_ > capacity_ - size) {
        return nullptr;
    }
    void* p = std::aligned_alloc(kAlignment, size);
    if (p == nullptr) {
        return nullptr;
    }
    std::memset(p, kPoison, size);
    live_[reinterpret_cast<uintptr_t>(p)] = Block{bytes, stream_ordered};
    used_ += size;
    return p;
}

bool DeviceMemory::release(void* ptr) {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    auto it = live_.find(reinterpret_cast<uintptr_t>(ptr));
    if (it == live_.end()) {
        return false;
    }
    const size_t size = rounded(it->second.size);
    std::memset(ptr, kPoison, size);
    used_ -= size;
    quarantine_.push_back(Freed{it->first, it->second.size, ptr});
    quarantined_ += size;
    live_.erase(it);
    ++generation_;
    while (quarantined_ > kQuarantineBytes && !quarantine_.empty()) {
        quarantined_ -= rounded(quarantine_.front().size);
        std::free(quarantine_.front().memory);
        quarantine_.pop_front();
    }
    return true;
}

void DeviceMemory::release_all() {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    for (auto& [base, block] : live_) {
        std::free(reinterpret_cast<void*>(base));
    }
    live_.clear();
    used_ = 0;
    for (Freed& f : quarantine_) {
        std::free(f.memory);
    }
    quarantine_.clear();
    quarantined_ = 0;
    ++generation_;
}

bool DeviceMemory::find(const void* p, size_t n, uintptr_t& base, uintptr_t& end) const {
    const auto a = reinterpret_cast<uintptr_t>(p);
    std::shared_lock<std::shared_mutex> lock(mutex_);
    auto it = live_.upper_bound(a);
    if (it == live_.begin()) {
        return false;
    }
    --it;
    const uintptr_t b = it->first;
    const uintptr_t e = b + it->second.size;
    if (a >= b && a + n <= e && a + n >= a) {
        base = b;
        end = e;
        return true;
    }
    return false;
}

bool DeviceMemory::contains(const void* p, size_t n) const {
    uintptr_t base, end;
    return find(p, n, base, end);
}

bool DeviceMemory::is_live_base(const void* p) const {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    return live_.count(reinterpret_cast<uintptr_t>(p)) != 0;
}

size_t DeviceMemory::used() const {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    return used_;
}

std::string DeviceMemory::describe(const void* p, size_t n) const {
    const auto a = reinterpret_cast<uintptr_t>(p);
    std::shared_lock<std::shared_mutex> lock(mutex_);
    for (auto it = quarantine_.rbegin(); it != quarantine_.rend(); ++it) {
        if (a >= it->base && a < it->base + it->size) {
            return hex(a) + " is " + std::to_string(a - it->base) + " bytes into a freed allocation of " +
                   std::to_string(it->size) + " bytes at " + hex(it->base) + " (use after free)";
        }
    }
    auto after = live_.upper_bound(a);
    if (after != live_.begin()) {
        auto before = std::prev(after);
        const uintptr_t end = before->first + before->second.size;
        if (a >= before->first && a < end) {
            return hex(a) + " (" + std::to_string(n) + " bytes) runs " + std::to_string(a + n - end) +
                   " bytes past the end of the allocation of " + std::to_string(before->second.size) + " bytes at " +
                   hex(before->first);
        }
        if (a >= end && a - end < (1u << 20)) {
            return hex(a) + " is " + std::to_string(a - end) + " bytes past the end of the allocation of " +
                   std::to_string(before->second.size) + " bytes at " + hex(before->first);
        }
    }
    if (after != live_.end() && after->first - a < (1u << 20)) {
        return hex(a) + " is " + std::to_string(after->first - a) + " bytes before the allocation of " +
               std::to_string(after->second.size) + " bytes at " + hex(after->first);
    }
    return hex(a) + " is not in any device allocation";
}

}  // namespace emu
}  // namespace attn4j
