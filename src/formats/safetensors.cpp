// Being written: see include/medq/formats/safetensors.hpp for the contract.
#include "medq/formats/safetensors.hpp"
