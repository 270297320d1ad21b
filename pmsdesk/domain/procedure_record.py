"""The structured record of a lumbar puncture and the intrathecal dose given through it.

The choices a nurse picks from at the bench; the fields themselves are declared with the visit's
(pmsdesk.domain.fields.VISIT_FIELDS), so validation, the screen, the archive and the PDF share them.

- Needle: atraumatic (pencil-point) needles reduce post-dural-puncture headache compared with cutting
  (Quincke) needles (Nath S et al., Lancet 2018;391:1197-1204; Cochrane review CD009199, 2016:
  bed rest and fluids afterwards do not prevent it).
- Opening pressure, measured in the lateral decubitus position with the legs extended: reference
  interval 10-25 cm H2O in adults (Whiteley W et al., Neurology 2006;67:1690-1691); pmsdesk accepts
  1 to 60 cm H2O, beyond which a reading is a mistake rather than a pressure.
- CSF appearance: a bloody sample (> 500 red cells/uL) is not used for research biobanking (Teunissen
  CE et al., Neurology 2009;73:1914-1922).
"""

from __future__ import annotations

from pmsdesk.domain.vocab import Choice


class Position(Choice):
    LATERAL_DECUBITUS = "lateral_decubitus", "Lateral decubitus"
    SITTING = "sitting", "Sitting"


class Interspace(Choice):
    L2_L3 = "L2-L3", "L2-L3"
    L3_L4 = "L3-L4", "L3-L4"
    L4_L5 = "L4-L5", "L4-L5"
    L5_S1 = "L5-S1", "L5-S1"


class NeedleType(Choice):
    ATRAUMATIC = "atraumatic", "Atraumatic (pencil-point)"
    CUTTING = "cutting", "Cutting (Quincke)"


class NeedleGauge(Choice):
    G20 = "20G", "20G"
    G22 = "22G", "22G"
    G24 = "24G", "24G"
    G25 = "25G", "25G"
    G26 = "26G", "26G"
    G27 = "27G", "27G"


class PunctureResult(Choice):
    SUCCESSFUL = "successful", "Successful: CSF obtained, dose given"
    UNSUCCESSFUL = "unsuccessful", "Unsuccessful: no dose given"


class CsfAppearance(Choice):
    CLEAR = "clear", "Clear, colourless"
    BLOOD_CLEARING = "blood_clearing", "Blood-stained, clearing"
    BLOODY = "bloody", "Uniformly bloody"
    TURBID = "turbid", "Turbid"
    XANTHOCHROMIC = "xanthochromic", "Xanthochromic"


# The fields of the record in the bench's order: the dose, then the puncture, then the observation.
DOSE_FIELDS = ("dose_given", "dose_unit", "dose_volume_ml", "dose_batch")
PUNCTURE_FIELDS = ("performed_by", "assisted_by", "puncture_time", "lp_position", "lp_level", "lp_needle_type",
                   "lp_needle_gauge", "lp_attempts", "lp_levels_tried", "lp_result", "opening_pressure_cmh2o",
                   "csf_appearance", "csf_removed_ml", "csf_sampled_ml", "lp_needle")
OBSERVATION_FIELDS = ("observation_notes", "discharge_time")
PROCEDURE_RECORD_FIELDS = (*DOSE_FIELDS, *PUNCTURE_FIELDS, *OBSERVATION_FIELDS)
# The fields migration 0010 added to the visit: a visit's values leave them out while blank, so the
# content digest of a visit signed before them (pmsdesk.domain.signatures) is the same as it was.
ADDED_IN_0010 = ("dose_volume_ml", "dose_batch", "assisted_by", "puncture_time", "lp_position", "lp_needle_type",
                 "lp_needle_gauge", "lp_levels_tried", "lp_result", "opening_pressure_cmh2o", "csf_appearance",
                 "csf_sampled_ml", "observation_notes", "discharge_time")
# What a treatment visit's record may not leave blank (the rest where it applies).
REQUIRED_AT_TREATMENT = ("performed_by", "puncture_time", "lp_position", "lp_level", "lp_needle_type",
                         "lp_needle_gauge", "lp_attempts", "lp_result")
