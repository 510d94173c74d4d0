"""Job-advert checker ("Cek Lowongan"): extraction, rules (flag codes of DESIGN.md), OCR of
pictures, the check service and its chat flow."""
