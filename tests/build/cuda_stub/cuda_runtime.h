#pragma once
// See cuda_runtime_api.h: a stand-in for syntax checks only.
#include "cuda_runtime_api.h"
