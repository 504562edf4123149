//===- Render.cpp - The one place findings become text --------------------===//
#include "fanout/Finding.h"
#include "llvm/ADT/StringExtras.h"

using namespace llvm;

namespace fanout {

StringRef messageFormat(const Finding &F) {
  switch (F.Kind) {
  case FindingKind::StrandedProducer:
    return "producer can block forever in '%0' on bounded queue %1: every "
           "consumer can exit without closing it, and nothing else wakes the "
           "producer";
  case FindingKind::StrandedMemberProducer:
    return "callers of '%0' can block forever in '%1' on bounded queue %2: "
           "every worker thread can exit without closing it, and nothing else "
           "wakes them";
  case FindingKind::StrandedConsumer:
    return F.Args.size() > 2 && !F.Args[2].empty()
               ? "consumers can block forever in '%0' on queue %1: the "
                 "producer can finish without closing it (it never closes "
                 "it)"
               : "consumers can block forever in '%0' on queue %1: the "
                 "producer can finish without closing it";
  case FindingKind::JoinBeforeDrain:
    return "this wait can block forever: workers push into bounded queue %0, "
           "which is drained only after it; once the queue is full they "
           "block in '%1'";
  }
  return "";
}

StringRef noteFormat(const FindingNote &N) {
  switch (N.Kind) {
  case NoteKind::QueueDeclared:
    return "queue '%0' declared here";
  case NoteKind::ConsumerReturns:
    return "consumer returns here without closing '%0'";
  case NoteKind::ConsumerBreaks:
    return "consumer breaks out of its pop loop here without closing '%0'";
  case NoteKind::ConsumerThrows:
    return "consumer throws here without closing '%0'";
  case NoteKind::ConsumerJumps:
    return "consumer jumps out of its pop loop here without closing '%0'";
  case NoteKind::ConsumerCondition:
    return "consumer's loop condition ends the pop loop here before '%0' is "
           "closed";
  case NoteKind::ConsumerFinishes:
    return "consumer finishes here without closing '%0'";
  case NoteKind::ConsumerCallThrows:
    return "an exception from '%1' ends the consumer here without closing "
           "'%0'";
  case NoteKind::ConsumerCallLeaves:
    return "the consumer stops popping '%0' when '%1' returns early here";
  case NoteKind::CallersStop:
    return "callers of '%1' take one item of '%0' a call, and can stop "
           "calling it at any time";
  case NoteKind::ExceptionCaught:
    return "the exception is caught here, and the thread goes on to leave";
  case NoteKind::ProducerReturns:
    return "producer returns here without closing '%0'";
  case NoteKind::ProducerThrows:
    return "producer throws here without closing '%0'";
  case NoteKind::ProducerFinishes:
    return "producer finishes here without closing '%0'";
  case NoteKind::ProducerCallThrows:
    return "an exception from '%1' ends the producer here without closing "
           "'%0'";
  case NoteKind::ProducerCallLeaves:
    return "'%1' can return here without closing '%0'";
  case NoteKind::ConsumerSpawned:
    return "consumer thread%0 spawned here%1";
  case NoteKind::ProducerSpawned:
    return "producer thread spawned here";
  case NoteKind::WorkerSpawned:
    return "worker thread%0 spawned here%1";
  case NoteKind::RunsCall:
    return "%0 runs '%1' here";
  case NoteKind::CallerConsumes:
    return "the spawning thread consumes the queue itself, in '%0' here";
  case NoteKind::ProducerWait:
    return "this wait never returns once the producer is stuck";
  case NoteKind::ProducerWaitScope:
    return "the producer is waited for here, at the end of its handle's "
           "scope; this never returns once it is stuck";
  case NoteKind::ConsumerWait:
    return "this wait never returns once the consumers are stuck";
  case NoteKind::ConsumerWaitScope:
    return "the consumers are waited for here, at the end of their handle's "
           "scope; this never returns once they are stuck";
  case NoteKind::WorkersBlock:
    return "workers block here once '%0' is full";
  case NoteKind::DrainedAfter:
    return "'%0' is drained only here, after the wait";
  case NoteKind::ErrorKeptUnseen:
    return "the producer leaves its error in '%0' here ('%1'), but '%2' does "
           "not wake on it";
  case NoteKind::Fix:
    return "fix: %0";
  case NoteKind::AlternativeFix:
    return "alternatively, %0";
  case NoteKind::NoFix:
    return "%0";
  }
  return "";
}

static std::string substituteArgs(StringRef Format,
                                  ArrayRef<std::string> Args) {
  std::string Out;
  for (size_t I = 0; I < Format.size(); ++I) {
    char C = Format[I];
    if (C == '%' && I + 1 < Format.size() && isDigit(Format[I + 1])) {
      unsigned Index = Format[I + 1] - '0';
      if (Index < Args.size())
        Out += Args[Index];
      ++I;
      continue;
    }
    if (C == '%' && I + 1 < Format.size() && Format[I + 1] == '%')
      ++I;
    Out += C;
  }
  return Out;
}

std::string renderMessage(const Finding &F) {
  return substituteArgs(messageFormat(F), F.Args);
}

std::string renderNote(const FindingNote &N) {
  return substituteArgs(noteFormat(N), N.Args);
}

StringRef checkName(FindingKind Kind) {
  switch (Kind) {
  case FindingKind::StrandedProducer:
  case FindingKind::StrandedMemberProducer:
    return "fanout-stranded-producer";
  case FindingKind::StrandedConsumer:
    return "fanout-stranded-consumer";
  case FindingKind::JoinBeforeDrain:
    return "fanout-join-before-drain";
  }
  return "";
}

} // namespace fanout
