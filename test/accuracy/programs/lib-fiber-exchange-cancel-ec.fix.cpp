// accuracy-family: stranded-producer
// accuracy-origin: pingcap/tiflash issue #4229, PR #4285 (ExchangeReceiver not cancelled when an exception happens in the union/agg input stream); dbms/src/Flash/Mpp/ExchangeReceiver.h of the buffered_channel era (readLoop per source, one boost::fibers::buffered_channel per stream), re-expressed
// accuracy-shape: queue=boost::fibers::buffered_channel fix=cancel-reaches-receiver spawner=std::async producer=member-function consumer=calling-thread exit=error-code wait=future.get
// accuracy-flags: -lboost_fiber -lboost_context
//
// The fix (as PR #4285 describes it): a silent cancel also reaches the
// receiver, whose cancel closes the channel.
// An exchange receiver starts one readLoop per upstream source with
// std::async; each pushes packets into a bounded buffered_channel and stops
// when push reports channel_op_status::closed. The query thread decodes the
// packets; on a decode error it returns an error code and asks its remote
// reader to cancel "silently" (kill=false). The remote reader ignores a
// silent cancel, so the channel is never closed: the readLoops fill it and
// block in push, and waiting for them (future.get) hangs.
#include <boost/fiber/buffered_channel.hpp>
#include <boost/fiber/channel_op_status.hpp>

#include <cstdio>
#include <future>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

struct Packet {
  std::size_t source = 0;
  std::string payload;
};

class ExchangeReceiver {
public:
  ExchangeReceiver(std::size_t sources, std::size_t packetsPerSource)
      : sources_(sources), packetsPerSource_(packetsPerSource),
        channel_(8) {}

  void start() {
    for (std::size_t i = 0; i < sources_; ++i)
      workersDone_.push_back(
          std::async(std::launch::async, [this, i] { readLoop(i); }));
  }

  bool next(std::shared_ptr<Packet> &out) {
    return channel_.pop(out) == boost::fibers::channel_op_status::success;
  }

  void cancel() { channel_.close(); }

  void waitForReaders() {
    for (auto &done : workersDone_)
      done.get();
  }

private:
  void readLoop(std::size_t source) {
    for (std::size_t n = 0; n < packetsPerSource_; ++n) {
      auto packet = std::make_shared<Packet>();
      packet->source = source;
      packet->payload = "chunk-" + std::to_string(n);
      if (channel_.push(packet) ==
          boost::fibers::channel_op_status::closed)
        return;
    }
  }

  std::size_t sources_;
  std::size_t packetsPerSource_;
  boost::fibers::buffered_channel<std::shared_ptr<Packet>> channel_;
  std::vector<std::future<void>> workersDone_;
};

// The input stream that wraps the receiver (TiRemoteBlockInputStream).
class RemoteReader {
public:
  explicit RemoteReader(ExchangeReceiver &receiver) : receiver_(receiver) {}
  void cancel(bool kill) {
    (void)kill; // silent or not, the receiver is cancelled: its channel closes
    receiver_.cancel();
  }
  bool read(std::shared_ptr<Packet> &out) { return receiver_.next(out); }

private:
  ExchangeReceiver &receiver_;
};

// Every chunk of this query was encoded with an unknown codec.
static std::error_code decodeChunk(const Packet &packet) {
  if (packet.payload.rfind("chunk-", 0) == 0)
    return std::make_error_code(std::errc::illegal_byte_sequence);
  return {};
}

static std::error_code aggregate(RemoteReader &reader, long &rows) {
  std::shared_ptr<Packet> packet;
  while (reader.read(packet)) {
    std::error_code ec = decodeChunk(*packet);
    if (ec) {
      reader.cancel(/*kill=*/false);
      return ec;
    }
    ++rows;
  }
  return {};
}

int main() {
  ExchangeReceiver receiver(/*sources=*/3, /*packetsPerSource=*/200);
  RemoteReader reader(receiver);
  receiver.start();
  long rows = 0;
  std::error_code ec = aggregate(reader, rows);
  receiver.waitForReaders();
  if (ec) {
    std::printf("query failed: chunk %s\n",
                ec == std::errc::illegal_byte_sequence ? "not decodable" : "error");
    return 0;
  }
  std::printf("query done: %ld rows\n", rows);
  return 0;
}
