"""The MI pack (`reportkit mi`): complaints management information over any date range, from the same extract.

Every figure is a small tested function over one frame of the entity's classified complaints (`frame.mi_frame`):
volumes and trends, time to close against the DISP limits and the firm's service levels, root causes, upheld rates
and redress with outliers flagged, redress against plan and handler authority limits, vulnerability outcomes,
Ombudsman referrals and overturns, and the preview of the 2027 consolidated return per legal entity. None of it
feeds a return.
"""
