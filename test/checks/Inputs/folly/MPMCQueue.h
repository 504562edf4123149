// Declarations matching folly/MPMCQueue.h (folly is not packaged in Debian):
// enough of the real interface for the check to resolve calls.
#pragma once
#include <atomic>
#include <chrono>
#include <cstddef>

namespace folly {
template <typename T, template <typename> class Atom = std::atomic,
          bool Dynamic = false>
class MPMCQueue {
public:
  explicit MPMCQueue(std::size_t queueCapacity);
  template <typename... Args> void blockingWrite(Args &&...args);
  template <typename... Args> bool write(Args &&...args);
  template <typename... Args> bool writeIfNotFull(Args &&...args);
  template <class Clock, typename... Args>
  bool tryWriteUntil(const std::chrono::time_point<Clock> &when,
                     Args &&...args);
  void blockingRead(T &elem);
  bool read(T &elem);
};
} // namespace folly
